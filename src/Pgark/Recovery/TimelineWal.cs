using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// One timeline's archived segments, sorted by segment number, with the contiguous <see cref="Ranges"/> they form.
/// Between two ranges lies a gap; a partial segment ends a range even when later segments exist (its missing tail is
/// WAL the archive does not have).
/// </summary>
public sealed class TimelineWal
{
    private readonly ArchivedSegment[] _segments;

    internal TimelineWal(TimelineId timeline, ArchivedSegment[] sortedSegments, int segmentSize)
    {
        Timeline = timeline;
        _segments = sortedSegments;
        Ranges = BuildRanges(sortedSegments, segmentSize);
    }

    public TimelineId Timeline { get; }

    public IReadOnlyList<ArchivedSegment> Segments => _segments;

    public IReadOnlyList<WalRange> Ranges { get; }

    /// <summary>Just past the newest archived byte of this timeline (Invalid when it has no segment).</summary>
    public Lsn End => Ranges.Count == 0 ? Lsn.Invalid : Ranges[^1].End;

    /// <summary>The stored segment with this number, by binary search.</summary>
    public bool TryFind(ulong segmentNumber, out ArchivedSegment segment)
    {
        int lo = 0, hi = _segments.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            ulong at = _segments[mid].SegmentNumber;
            if (at == segmentNumber)
            {
                segment = _segments[mid];
                return true;
            }
            if (at < segmentNumber)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        segment = default;
        return false;
    }

    private static WalRange[] BuildRanges(ArchivedSegment[] segments, int segmentSize)
    {
        var ranges = new List<WalRange>();
        int first = 0;
        for (int i = 0; i < segments.Length; i++)
        {
            bool lastOfRun = i == segments.Length - 1 || segments[i].IsPartial || segments[i + 1].SegmentNumber != segments[i].SegmentNumber + 1;
            if (!lastOfRun)
                continue;
            ArchivedSegment head = segments[first], tail = segments[i];
            ranges.Add(new WalRange(head.Timeline, head.SegmentNumber, tail.SegmentNumber, head.Start(segmentSize), tail.End(segmentSize), tail.IsPartial));
            first = i + 1;
        }
        return [.. ranges];
    }
}
