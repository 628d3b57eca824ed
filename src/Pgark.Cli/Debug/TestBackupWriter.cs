using System.Globalization;
using Pgark.Repository;
using Pgark.Repository.Config;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Cli.Debug;

/// <summary>
/// INTERNAL, for crash tests only; not a command, not in help or spec/cli.md:
/// <c>pgark __write-test-backups DIR SEED FIRST</c> writes snapshots FIRST, FIRST+1, ... of synthetic files into an existing
/// repository forever, printing "chunk" after every chunk and "committed N ID" after every snapshot, so a test can SIGKILL it
/// at chosen points of a write and then verify every committed snapshot byte for byte against <see cref="Files"/>.
/// </summary>
internal static class TestBackupWriter
{
    public const string Verb = "__write-test-backups";
    public const int ChunkSize = 32 * 1024;

    /// <summary>Small packs, so a snapshot spans several and a kill can land between any two puts.</summary>
    public static RepositoryOptions Options => new() { Storage = StorageSettings.Default with { PackTargetSize = 64 * 1024 }, IndexDeltaEntries = 1000 };

    /// <summary>The files of snapshot <paramref name="index"/>: one shared by all snapshots (deduplicated) and one new each time.</summary>
    public static (string Path, byte[] Content)[] Files(int seed, int index)
    {
        var shared = new byte[160 * 1024];
        new Random(seed).NextBytes(shared);
        var changing = new byte[96 * 1024 + index * 1000];
        new Random(seed * 7919 + index).NextBytes(changing);
        return [("base/1/changing", changing), ("base/1/shared", shared)];
    }

    public static string Label(int index) => "test-" + index.ToString(CultureInfo.InvariantCulture);

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var repository = await Repo.OpenAsync(new LocalStore(args[1]), Options, cancellationToken).ConfigureAwait(false);
        int seed = int.Parse(args[2], CultureInfo.InvariantCulture), first = int.Parse(args[3], CultureInfo.InvariantCulture);
        for (var index = first; ; index++)
        {
            var id = await WriteAsync(repository, seed, index, () => Console.Out.WriteLine("chunk"), cancellationToken).ConfigureAwait(false);
            Console.Out.WriteLine($"committed {index} {id}");
        }
    }

    /// <summary>One snapshot of <see cref="Files"/>; returns its id.</summary>
    public static async Task<string> WriteAsync(Repo repository, int seed, int index, Action onChunk, CancellationToken cancellationToken)
    {
        await using var session = await repository.BeginBackupAsync("test", cancellationToken).ConfigureAwait(false);
        foreach (var (path, content) in Files(seed, index))
        {
            var chunks = new List<ChunkRef>();
            for (var at = 0; at < content.Length; at += ChunkSize)
            {
                chunks.Add(await session.AddChunkAsync(content.AsMemory(at, Math.Min(ChunkSize, content.Length - at)), cancellationToken: cancellationToken)
                    .ConfigureAwait(false));
                onChunk();
            }
            await session.AddFileAsync(FileEntry.Regular(path, content.Length, DateTimeOffset.UnixEpoch), chunks).ConfigureAwait(false);
        }
        var time = DateTimeOffset.UnixEpoch.AddHours(index);
        var snapshot = await session.CommitAsync(new SnapshotMetadata(SnapshotKind.Physical, 1, 150000, 1, 0, 0, time, time, Label(index), "test"),
            cancellationToken).ConfigureAwait(false);
        return snapshot.Id.ToString();
    }
}
