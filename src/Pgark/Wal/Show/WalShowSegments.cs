using Pgark.Repository.Format;
using Pgark.Wire.Replication;

namespace Pgark.Wal.Show;

/// <summary>
/// The archived segments that make up one timeline's history, in WAL order: for each segment number the copy of the
/// timeline that owned it (by the timeline's history file: a segment wholly before an ancestor's switch point belongs
/// to that ancestor; the segment holding a switch point is read from the child, which has the parent's bytes up to the
/// switch), the full object if there is one, else the longest partial. Found from object names and headers only.
/// </summary>
public sealed class WalShowSegments
{
    private WalShowSegments(TimelineId timeline, int segmentSize, IReadOnlyList<WalSegmentObject> segments)
    {
        Timeline = timeline;
        SegmentSize = segmentSize;
        Segments = segments;
    }

    public TimelineId Timeline { get; }

    public int SegmentSize { get; }

    /// <summary>Ordered by segment number; may have holes (gaps), which <see cref="Contiguous"/> reports.</summary>
    public IReadOnlyList<WalSegmentObject> Segments { get; }

    public static async Task<WalShowSegments> ForTimelineAsync(WalStore store, TimelineId? timeline, CancellationToken cancellationToken = default)
    {
        List<WalSegmentObject> objects = await store.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        List<WalSegmentObject> segments = objects.Where(o => o.IsSegment).ToList();
        if (segments.Count == 0)
            throw new WalShowException("the archive holds no WAL segments", "archive WAL first: pgark wal stream, or archive_command = 'pgark wal push …'");
        TimelineId target = timeline ?? segments.Max(o => o.Timeline);
        if (!segments.Any(o => o.Timeline == target))
        {
            throw new WalShowException($"the archive holds no segment of timeline {target.Value}",
                $"the archived timelines are {string.Join(", ", segments.Select(o => o.Timeline.Value).Distinct())}; give one with --timeline");
        }
        int segmentSize = await store.ReadSegmentSizeAsync(segments[0], cancellationToken).ConfigureAwait(false);
        IReadOnlyList<TimelineHistoryEntry> ancestors = [];
        if (objects.FirstOrDefault(o => o.Kind == WalKind.History && o.Timeline == target) is { } history)
            ancestors = TimelineHistory.Parse(await store.ReadAsync(history, cancellationToken).ConfigureAwait(false));

        var byNumber = new SortedDictionary<ulong, WalSegmentObject>();
        foreach (IGrouping<(TimelineId Timeline, ulong Number), WalSegmentObject> copies in segments.GroupBy(o => (o.Timeline, o.SegmentNumber)))
        {
            if (Owner(copies.Key.Number, segmentSize, ancestors, target) != copies.Key.Timeline)
                continue;
            byNumber[copies.Key.Number] = copies.FirstOrDefault(o => o.Kind == WalKind.Full) ?? copies.MaxBy(o => o.ValidLength)!;
        }
        return new WalShowSegments(target, segmentSize, [.. byNumber.Values]);
    }

    /// <summary>The timeline whose copy of segment <paramref name="number"/> is on <paramref name="target"/>'s history.</summary>
    internal static TimelineId Owner(ulong number, int segmentSize, IReadOnlyList<TimelineHistoryEntry> ancestors, TimelineId target)
    {
        Lsn segmentEnd = Lsn.FromSegment(number + 1, 0, segmentSize);
        foreach (TimelineHistoryEntry ancestor in ancestors)
        {
            if (segmentEnd <= ancestor.SwitchPoint)
                return ancestor.Timeline;
        }
        return target;
    }

    /// <summary>Index of the segment holding <paramref name="lsn"/>, or of the first one after it; Count when none.</summary>
    public int IndexAtOrAfter(Lsn lsn)
    {
        ulong number = lsn.SegmentNumber(SegmentSize);
        int index = 0;
        while (index < Segments.Count && Segments[index].SegmentNumber < number)
            index++;
        return index;
    }

    /// <summary>Throws naming the first missing segment when [first, last] is not one unbroken run of WAL.</summary>
    public void Contiguous(int first, int last)
    {
        for (int i = first; i <= last; i++)
        {
            WalSegmentObject segment = Segments[i];
            if (i > first && segment.SegmentNumber != Segments[i - 1].SegmentNumber + 1)
            {
                string missing = WalFileName.Segment(Segments[i - 1].Timeline, Segments[i - 1].SegmentNumber + 1, SegmentSize);
                throw new WalShowException($"the archive lacks WAL segment {missing} (between {Segments[i - 1].WalFileName} and {segment.WalFileName})",
                    "pgark status lists the archive's gaps; narrow the range to one side of the gap");
            }
            if (segment.Kind == WalKind.Partial && i < last)
            {
                throw new WalShowException($"only part of WAL segment {segment.WalFileName} is archived ({segment.ValidLength} bytes) but later segments follow",
                    "pgark status lists the archive's gaps; narrow the range to one side of the gap");
            }
        }
    }
}
