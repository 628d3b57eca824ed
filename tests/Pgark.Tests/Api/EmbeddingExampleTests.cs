using Pgark.Physical;
using Pgark.Tests.Cli;

namespace Pgark.Tests.Api;

/// <summary>The README's embedding example runs against a real server, reports progress, honours cancellation, and
/// is the same text as in README.md.</summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EmbeddingExampleTests(ScratchServer server) : IClassFixture<ScratchServer>, IDisposable
{
    private readonly string _repository = Directory.CreateTempSubdirectory("pgark-embed-").FullName;

    private string Db => $"host={server.SocketDirectory} port={server.Port} user=postgres";

    [Fact]
    public async Task Backs_up_with_progress_and_again_into_the_same_repository()
    {
        var reports = new List<PhysicalBackupProgress>();
        var progress = new SynchronousProgress(reports);

        PhysicalBackupResult first = await EmbeddingExample.BackupAsync(_repository, Db, progress, CancellationToken.None);
        Assert.Equal("nightly", first.Snapshot.Record.Metadata.Label);
        Assert.True(first.Files > 0);
        Assert.NotEmpty(reports);
        Assert.Equal(first.ReceivedBytes, reports[^1].ReceivedBytes); // the last report is the total
        Assert.True(reports.Zip(reports.Skip(1)).All(pair => pair.First.ReceivedBytes <= pair.Second.ReceivedBytes));

        // The second run opens the repository the first one created, and deduplicates against it.
        PhysicalBackupResult second = await EmbeddingExample.BackupAsync(_repository, Db, progress, CancellationToken.None);
        Assert.NotEqual(first.Snapshot.Id, second.Snapshot.Id);
        Assert.True(second.StoredBytes < first.StoredBytes, $"repeat backup stored {second.StoredBytes} bytes, first {first.StoredBytes}");
    }

    [Fact]
    public async Task A_cancelled_backup_publishes_no_snapshot()
    {
        using var cancel = new CancellationTokenSource();
        // Cancel from the first progress report: mid-stream, after the server started sending files.
        var progress = new SynchronousProgress([], onReport: cancel.Cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => EmbeddingExample.BackupAsync(_repository, Db, progress, cancel.Token));
        var repository = await global::Pgark.Repository.Repository.OpenAsync(new global::Pgark.Repository.Storage.LocalStore(_repository));
        Assert.Empty(await repository.ListSnapshotsAsync());
    }

    [Fact]
    public void The_readme_shows_this_example()
    {
        string root = CliSpecTests.RepositoryRoot();
        string source = File.ReadAllText(Path.Combine(root, "tests", "Pgark.Tests", "Api", "EmbeddingExample.cs"));
        int begin = source.IndexOf("    // README begin\n", StringComparison.Ordinal);
        int end = source.IndexOf("    // README end\n", StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "EmbeddingExample.cs lost its README markers");
        begin += "    // README begin\n".Length;
        string example = string.Join("\n", source[begin..end].TrimEnd('\n').Split('\n').Select(line => line.StartsWith("    ", StringComparison.Ordinal) ? line[4..] : line));
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        Assert.True(readme.Contains(example, StringComparison.Ordinal),
            "README.md's embedding example differs from tests/Pgark.Tests/Api/EmbeddingExample.cs; copy the method between the README markers "
            + "(one indentation level removed) into README.md:\n" + example);
    }

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    /// <summary>Records each report on the reporting thread (Progress&lt;T&gt; would post it to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress(List<PhysicalBackupProgress> reports, Action? onReport = null) : IProgress<PhysicalBackupProgress>
    {
        public void Report(PhysicalBackupProgress value)
        {
            lock (reports)
                reports.Add(value);
            onReport?.Invoke();
        }
    }
}
