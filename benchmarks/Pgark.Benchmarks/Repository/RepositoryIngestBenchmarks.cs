using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Benchmarks.Repository;

/// <summary>
/// A backup's repository side at zstd 3 into a LocalStore on tmpfs: hash, look up, compress, verify, pack, put, index,
/// commit. IngestNew starts from an empty repository each time; IngestStored backs up the same bytes again (all deduplicated);
/// Restore reads every file of the snapshot back. Divide MiB by the mean for MB/s; the zstd CLI figure is printed in setup.
/// </summary>
[MemoryDiagnoser]
public class RepositoryIngestBenchmarks
{
    private byte[] _data = [];
    private List<(int Offset, int Length)> _chunks = [];
    private string _root = "";
    private Repo _fresh = null!;
    private Repo _stored = null!;
    private SnapshotInfo _snapshot = null!;
    private TimeSpan _cpuAtStart;
    private readonly Stopwatch _wall = new();

    [Params(256)]
    public int MiB { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_data, _chunks) = RepositoryBenchmarkData.Create(MiB);
        RepositoryBenchmarkData.MeasureZstdCli(_data);
        _root = Path.Combine(RepositoryBenchmarkData.ScratchRoot, $"pgark-bench-repo-{Environment.ProcessId}");
        var store = Path.Combine(_root, "stored");
        Repo.InitAsync(new LocalStore(store), new RepositoryInitOptions()).GetAwaiter().GetResult();
        _stored = Repo.OpenAsync(new LocalStore(store)).GetAwaiter().GetResult();
        _snapshot = BackupAsync(_stored).GetAwaiter().GetResult();
        var stats = _stored.GetStatsAsync().GetAwaiter().GetResult();
        Console.WriteLine($"// {_chunks.Count} chunks, {stats.PlainBytes} plain bytes stored as {stats.StoredBytes} ({(double)stats.PlainBytes / stats.StoredBytes:F2}x)");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [IterationSetup(Targets = [nameof(IngestNew), nameof(IngestNewInline)])]
    public void FreshRepository()
    {
        var directory = Path.Combine(_root, "fresh");
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        _fresh = Repo.InitAsync(new LocalStore(directory), new RepositoryInitOptions()).GetAwaiter().GetResult();
        StartCpuClock();
    }

    [IterationSetup(Targets = [nameof(IngestStored)])]
    public void StartCpuClock()
    {
        _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _wall.Restart();
    }

    /// <summary>Prints the process's CPU time per iteration: how many of the cores the ingest kept busy (the CLI's is printed in setup).</summary>
    [IterationCleanup(Targets = [nameof(IngestNew), nameof(IngestNewInline), nameof(IngestStored)])]
    public void StopCpuClock()
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart;
        Console.WriteLine($"// iteration: {_wall.Elapsed.TotalSeconds:F3} s wall, {cpu.TotalSeconds:F3} s CPU ({cpu / _wall.Elapsed:F2} cores)");
    }

    /// <summary>Through the session's parallel ingest (QueueChunkAsync): hashing and compression on the thread pool.</summary>
    [Benchmark]
    public Task<SnapshotInfo> IngestNew() => BackupAsync(_fresh);

    /// <summary>The same bytes through AddChunkAsync, all work on the caller's thread (the single-threaded baseline).</summary>
    [Benchmark]
    public Task<SnapshotInfo> IngestNewInline() => BackupAsync(_fresh, inline: true);

    [Benchmark]
    public Task<SnapshotInfo> IngestStored() => BackupAsync(_stored);

    [Benchmark]
    public async Task<long> Restore()
    {
        long total = 0;
        await foreach (var file in _stored.ReadTreeAsync(_snapshot.Record))
        {
            await _stored.RestoreFileAsync(file, Stream.Null);
            total += file.Entry.Size;
        }
        return total;
    }

    private async Task<SnapshotInfo> BackupAsync(Repo repository, bool inline = false)
    {
        await using var session = await repository.BeginBackupAsync();
        var refs = new List<ChunkRef>(_chunks.Count);
        foreach (var (offset, length) in _chunks)
        {
            if (inline)
                refs.Add(await session.AddChunkAsync(_data.AsMemory(offset, length)));
            else
                await session.QueueChunkAsync(_data.AsMemory(offset, length), refs);
        }
        await session.AddFileAsync(FileEntry.Regular("base/5/16384", _data.Length, DateTimeOffset.UnixEpoch), refs);
        var time = DateTimeOffset.UnixEpoch;
        return await session.CommitAsync(new SnapshotMetadata(SnapshotKind.Physical, 1, 150000, 1, 0, 0, time, time, "bench", "bench"));
    }
}
