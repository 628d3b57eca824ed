using BenchmarkDotNet.Attributes;
using Pgark.Recovery;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Benchmarks.Recovery;

/// <summary>
/// Planning over a synthetic archive of 10,000 segments on timeline 1 (16 MiB each, 156 GiB of WAL described), goal
/// &lt; 1 s. <see cref="LoadMapFromDirectory"/> lists a real repository directory holding 10,000 WAL object files (one
/// real segment object copied under 10,000 names: listing reads names, so their content does not matter) and proves
/// continuity from the first segment to the last (an immediate target from a backup at the start: all metadata).
/// <see cref="PlanTimeTarget"/> plans a time target near the end on a loaded map; WAL content comes from a synthetic
/// source (one commit per segment, one second apart), so the figure is the planner's own work plus the count of
/// segments it would decode (<see cref="SegmentsDecoded"/>); decoding cost is the WAL reader benchmark's.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class PlannerBenchmarks
{
    private const int SegmentCount = 10_000;
    private const int SegmentSize = 16 << 20;
    private static readonly TimelineId s_timeline = new(1);
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

    private string _directory = "";
    private Pgark.Repository.Repository _repository = null!;
    private WalArchiveMap _map = null!;
    private BackupCandidate[] _backups = [];

    /// <summary>Segments the time plan decoded (printed in setup).</summary>
    public int SegmentsDecoded { get; private set; }

    private const ulong SystemId = 1;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"pgark-bench-plan-{Guid.NewGuid():N}");
        _repository = Pgark.Repository.Repository.InitAsync(new LocalStore(_directory), new RepositoryInitOptions()).GetAwaiter().GetResult();
        var store = new WalStore(_repository, SystemId);
        // One real object (a zeroed segment) for the header LoadAsync reads, then 9,999 copies under the following names.
        WalSegmentObject first = store.PutSegmentAsync(s_timeline, 1, SegmentSize, new byte[SegmentSize], partial: false).GetAwaiter().GetResult();
        string firstPath = Path.Combine(_directory, first.ObjectName);
        for (ulong n = 2; n <= SegmentCount; n++)
            File.Copy(firstPath, Path.Combine(Path.GetDirectoryName(firstPath)!, $"{WalFileName.Segment(s_timeline, n, SegmentSize)}.full.{new string('0', 56)}{n:x8}"));
        _map = WalArchiveMap.LoadAsync(_repository, SystemId).GetAwaiter().GetResult();
        _backups = [new BackupCandidate(new string('a', 64), s_timeline, Lsn.FromSegment(1, 0x28, SegmentSize), Lsn.FromSegment(1, 0x2000, SegmentSize), s_t0, SystemId)];
        var wal = new OneCommitPerSegment();
        _ = new RecoveryPlanner(_map, _backups, wal).PlanAsync(TimeTarget, TimelineChoice.Latest).GetAwaiter().GetResult();
        SegmentsDecoded = wal.Reads;
        Console.WriteLine($"// archive: {_map.Timeline(s_timeline)!.Segments.Count} segments; a time plan decodes {SegmentsDecoded} of them");
    }

    private static RecoveryTarget TimeTarget => RecoveryTarget.AtTime(s_t0.AddSeconds(SegmentCount - 123.5));

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark]
    public async Task<long> LoadMapFromDirectory()
    {
        WalArchiveMap map = await WalArchiveMap.LoadAsync(_repository, SystemId);
        RecoveryPlan plan = await new RecoveryPlanner(map, _backups, new OneCommitPerSegment()).PlanAsync(RecoveryTarget.Immediate, TimelineChoice.Latest);
        // Continuity over the whole archive, as a plan to the newest WAL would prove it.
        return WalContinuity.Prove(map, plan.Path, plan.Wal.From, map.Timeline(s_timeline)!.End).Segments.Count;
    }

    [Benchmark]
    public async Task<long> PlanTimeTarget()
    {
        RecoveryPlan plan = await new RecoveryPlanner(_map, _backups, new OneCommitPerSegment()).PlanAsync(TimeTarget, TimelineChoice.Latest);
        return plan.Wal.Segments.Count;
    }

    /// <summary>Segment n holds one commit at offset 0x1000, n seconds after T0.</summary>
    private sealed class OneCommitPerSegment : IWalMarkSource
    {
        public int Reads { get; private set; }

        public Task<SegmentMarks> ReadAsync(ArchivedSegment segment, ArchivedSegment? next, CancellationToken cancellationToken)
        {
            Reads++;
            Lsn at = Lsn.FromSegment(segment.SegmentNumber, 0x1000, SegmentSize);
            var commit = new WalMark(WalMarkKind.Commit, at, at + 40, (uint)segment.SegmentNumber + 1000, s_t0.AddSeconds(segment.SegmentNumber));
            return Task.FromResult(new SegmentMarks([commit], at + 40));
        }
    }
}
