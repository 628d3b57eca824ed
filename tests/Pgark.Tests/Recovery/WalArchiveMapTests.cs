using System.Text;
using Pgark.Recovery;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Recovery;

/// <summary>The archive map from a real (in-memory) repository and from synthetic segment lists.</summary>
public sealed class WalArchiveMapTests
{
    private const int SegmentSize = 1 << 20;
    private const ulong SystemId = 7_301_234_567_890_123_456;
    private static readonly TimelineId T1 = new(1), T2 = new(2), T3 = new(3);

    [Fact]
    public async Task Load_reads_ranges_partials_and_ancestry_from_a_repository()
    {
        var repository = await Pgark.Repository.Repository.InitAsync(new MemoryStore(), new RepositoryInitOptions());
        var store = new WalStore(repository, SystemId);
        foreach (ulong n in new ulong[] { 1, 2, 3, 5 })
            await store.PutSegmentAsync(T1, n, SegmentSize, new byte[SegmentSize], partial: false);
        await store.PutSegmentAsync(T1, 6, SegmentSize, new byte[4096], partial: true);
        await store.PutSegmentAsync(T1, 6, SegmentSize, new byte[8192], partial: true);
        await store.PutSegmentAsync(T2, 5, SegmentSize, new byte[SegmentSize], partial: false);
        await store.PutHistoryAsync(T2, Encoding.ASCII.GetBytes("1\t0/5000100\tno recovery target specified\n"));

        WalArchiveMap map = await WalArchiveMap.LoadAsync(repository, SystemId);

        Assert.Equal(SegmentSize, map.SegmentSize);
        TimelineWal t1 = map.Timeline(T1)!;
        Assert.Equal([(1UL, 3UL, false), (5UL, 6UL, true)], t1.Ranges.Select(r => (r.FirstSegment, r.LastSegment, r.EndsWithPartial)));
        Assert.Equal(new Lsn(6UL * SegmentSize + 8192), t1.End);
        Assert.Equal(T2, map.LatestTimeline);
        TimelineFork fork = Assert.Single(map.Forks);
        Assert.Equal((T1, T2, new Lsn(0x5000100)), (fork.Parent, fork.Child, fork.SwitchPoint));
        Assert.Equal("1 → 2 (at 0/5000100)", map.PathTo(T2)!.ToString());
        Assert.Null(map.PathTo(T3));
    }

    [Fact]
    public void A_segment_stored_full_and_partial_counts_as_full()
    {
        WalArchiveMap map = SyntheticArchive.Map([Full(T1, 4), Partial(T1, 4, 100), Full(T1, 5)]);
        Assert.True(map.TryFindSegment(T1, 4, out ArchivedSegment segment));
        Assert.False(segment.IsPartial);
        Assert.Single(map.Timeline(T1)!.Ranges);
    }

    [Fact]
    public void A_partial_in_the_middle_splits_the_range()
    {
        WalArchiveMap map = SyntheticArchive.Map([Full(T1, 1), Partial(T1, 2, 100), Full(T1, 3)]);
        Assert.Equal([(1UL, 2UL), (3UL, 3UL)], map.Timeline(T1)!.Ranges.Select(r => (r.FirstSegment, r.LastSegment)));
    }

    [Fact]
    public void The_segment_holding_a_switch_point_comes_from_the_child_timeline()
    {
        var path = TimelinePath.FromHistory(T3, [new TimelineHistoryEntry(T1, new Lsn(0x300100), ""), new TimelineHistoryEntry(T2, new Lsn(0x700000), "")]);
        Assert.Equal(T1, path.TimelineForSegment(2, SegmentSize));
        Assert.Equal(T2, path.TimelineForSegment(3, SegmentSize));
        Assert.Equal(T2, path.TimelineForSegment(6, SegmentSize));
        Assert.Equal(T3, path.TimelineForSegment(7, SegmentSize));
        Assert.Equal(T1, path.TimelineAt(new Lsn(0x3000FF)));
        Assert.Equal(T2, path.TimelineAt(new Lsn(0x300100)));
        Assert.Equal(new Lsn(0x300100), path.EndOf(T1));
        Assert.Null(path.EndOf(new TimelineId(9)));
    }

    private static ArchivedSegment Full(TimelineId t, ulong n) => SyntheticArchive.Full(t, n);

    private static ArchivedSegment Partial(TimelineId t, ulong n, long length) => SyntheticArchive.Partial(t, n, length);
}
