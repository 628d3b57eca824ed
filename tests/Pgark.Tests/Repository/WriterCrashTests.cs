using System.Diagnostics;
using Pgark.Cli.Debug;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Tests.Repository;

/// <summary>
/// Real processes writing real files: a writer SIGKILLed at seeded points of its writes (not at injected faults) leaves every
/// committed snapshot restorable byte for byte and check free of errors; two writers at once both commit.
/// </summary>
public sealed class WriterCrashTests : IDisposable
{
    private const int Seed = 20261121;
    private readonly string _root = Directory.CreateTempSubdirectory("pgark-crash-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task WriterKilledAtRandomPointsLeavesEveryCommittedSnapshotRestorable()
    {
        await Repo.InitAsync(new LocalStore(_root), new Pgark.Repository.RepositoryInitOptions());
        var random = new Random(Seed);
        var next = 0;
        var killedMidSnapshot = 0;
        for (var iteration = 0; iteration < 6; iteration++)
        {
            // Kill after a seeded number of progress lines: anywhere from the first chunk to a few snapshots in.
            // The pipe lets the writer run ahead of what was read, so the kill lands wherever it has got to by then.
            var reported = await RunAndKillAsync(next, killAfterLines: random.Next(1, 30));

            var repository = await Repo.OpenAsync(new LocalStore(_root), TestBackupWriter.Options);
            var report = await repository.CheckAsync(readData: true);
            Assert.False(report.HasErrors, $"iteration {iteration}: {string.Join("; ", report.Errors)}");
            // A pack no index names is the trace of a kill between a pack put and its index delta.
            killedMidSnapshot += report.Warnings.Any() ? 1 : 0;
            var snapshots = await repository.ListSnapshotsAsync();
            // Every snapshot the writer reported is there, and no gap: snapshot n exists only if n-1 does.
            Assert.True(snapshots.Count >= next + reported, $"{snapshots.Count} snapshots, {next + reported} reported");
            Assert.Equal(Enumerable.Range(0, snapshots.Count).Select(TestBackupWriter.Label), snapshots.Select(s => s.Record.Metadata.Label));
            foreach (var snapshot in snapshots)
                await AssertRestoresAsync(repository, snapshot, int.Parse(snapshot.Record.Metadata.Label["test-".Length..], System.Globalization.CultureInfo.InvariantCulture));
            next = snapshots.Count;
        }
        Assert.True(next >= 2, $"only {next} snapshots were committed over all iterations");
        Assert.True(killedMidSnapshot >= 1, "no kill landed between a pack and its index delta");
    }

    [Fact]
    public async Task TwoWritersAtOnceBothCommitAndBothRestore()
    {
        await Repo.InitAsync(new LocalStore(_root), new Pgark.Repository.RepositoryInitOptions());
        var first = await Repo.OpenAsync(new LocalStore(_root), TestBackupWriter.Options);
        var second = await Repo.OpenAsync(new LocalStore(_root), TestBackupWriter.Options);
        // Both hold shared locks and interleave their pack and index puts on the thread pool.
        await Task.WhenAll(
            Task.Run(() => TestBackupWriter.WriteAsync(first, Seed, 0, () => { }, CancellationToken.None)),
            Task.Run(() => TestBackupWriter.WriteAsync(second, Seed, 1, () => { }, CancellationToken.None)));

        var reader = await Repo.OpenAsync(new LocalStore(_root), TestBackupWriter.Options);
        var report = await reader.CheckAsync(readData: true);
        Assert.False(report.HasErrors, string.Join("; ", report.Errors));
        var snapshots = await reader.ListSnapshotsAsync();
        Assert.Equal([TestBackupWriter.Label(0), TestBackupWriter.Label(1)], snapshots.Select(s => s.Record.Metadata.Label));
        await AssertRestoresAsync(reader, snapshots[0], 0);
        await AssertRestoresAsync(reader, snapshots[1], 1);
    }

    /// <summary>Starts the writer at snapshot <paramref name="first"/> and SIGKILLs it once it has printed that many lines.</summary>
    private async Task<int> RunAndKillAsync(int first, int killAfterLines)
    {
        var start = Pgark.Tests.Cli.PgarkBinary.StartInfo([TestBackupWriter.Verb, _root,
            Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), first.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var writer = Process.Start(start)!;
        var stderr = writer.StandardError.ReadToEndAsync();
        int lines = 0, reported = 0;
        while (lines < killAfterLines && await writer.StandardOutput.ReadLineAsync() is { } line)
        {
            lines++;
            reported += line.StartsWith("committed ", StringComparison.Ordinal) ? 1 : 0;
        }
        if (lines != killAfterLines)
            Assert.Fail($"the writer stopped by itself after {lines} lines: {await stderr}");
        writer.Kill(); // SIGKILL: no finally blocks, no lock release, a pack or temp file possibly half written
        await writer.WaitForExitAsync();
        return reported;
    }

    private static async Task AssertRestoresAsync(Repo repository, SnapshotInfo snapshot, int index)
    {
        var expected = TestBackupWriter.Files(Seed, index);
        var restored = new List<(string, byte[])>();
        await foreach (var file in repository.ReadTreeAsync(snapshot.Record))
        {
            using var buffer = new MemoryStream();
            await repository.RestoreFileAsync(file, buffer);
            restored.Add((file.Entry.Path, buffer.ToArray()));
        }
        Assert.Equal(expected.Select(f => f.Path), restored.Select(f => f.Item1));
        for (var i = 0; i < expected.Length; i++)
            Assert.True(expected[i].Content.AsSpan().SequenceEqual(restored[i].Item2), $"{snapshot.Record.Metadata.Label}: {expected[i].Path} differs");
    }
}
