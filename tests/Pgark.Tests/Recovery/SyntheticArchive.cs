using Pgark.Recovery;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Recovery;

/// <summary>Archive maps from segment lists, 1 MiB segments, for planner logic without repository I/O.</summary>
internal static class SyntheticArchive
{
    public const int SegmentSize = 1 << 20;

    public static ArchivedSegment Full(TimelineId timeline, ulong number)
        => new(timeline, number, IsPartial: false, SegmentSize, $"wal/{Lsn.FromSegment(number, 0, SegmentSize).WalFileName(timeline, SegmentSize)}.full.x");

    public static ArchivedSegment Partial(TimelineId timeline, ulong number, long length)
        => new(timeline, number, IsPartial: true, length, $"wal/{Lsn.FromSegment(number, 0, SegmentSize).WalFileName(timeline, SegmentSize)}.partial.x");

    public static IEnumerable<ArchivedSegment> Run(TimelineId timeline, ulong first, ulong last)
    {
        for (ulong n = first; n <= last; n++)
            yield return Full(timeline, n);
    }

    public static WalArchiveMap Map(IEnumerable<ArchivedSegment> segments,
        IReadOnlyDictionary<TimelineId, IReadOnlyList<TimelineHistoryEntry>>? histories = null)
        => WalArchiveMap.Build(SegmentSize, segments, histories ?? new Dictionary<TimelineId, IReadOnlyList<TimelineHistoryEntry>>());
}
