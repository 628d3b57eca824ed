using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>One timeline's stretch of the archive.</summary>
/// <param name="End">Just past the newest stored byte of this timeline.</param>
/// <param name="SwitchPoint">Where the next timeline branched off this one, when a history file records it.</param>
public sealed record WalTimelineSpan(TimelineId Timeline, string FirstSegment, string LastSegment, Lsn Start, Lsn End, int SegmentCount,
    bool EndsWithPartial, Lsn? SwitchPoint);

/// <summary>WAL that should be in the archive and is not: [<paramref name="From"/>, <paramref name="To"/>) on a timeline.</summary>
public sealed record WalGap(TimelineId Timeline, Lsn From, Lsn To, string Reason);

/// <summary>The archive's coverage: timeline path, newest durable position and every gap. Computed from object names and headers.</summary>
public sealed record WalArchiveStatus(int SegmentSize, ulong? SystemIdentifier, IReadOnlyList<WalTimelineSpan> Timelines, IReadOnlyList<WalGap> Gaps,
    Lsn NewestDurable, TimelineId? NewestTimeline, DateTimeOffset? NewestTime)
{
    public static async Task<WalArchiveStatus> ComputeAsync(WalStore store, CancellationToken cancellationToken = default)
    {
        List<WalSegmentObject> objects = await store.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        List<WalSegmentObject> segments = objects.Where(o => o.IsSegment).ToList();
        if (segments.Count == 0)
            return new WalArchiveStatus(0, null, [], [], Lsn.Invalid, null, null);
        int segmentSize = await store.ReadSegmentSizeAsync(segments[0], cancellationToken).ConfigureAwait(false);

        // Switch points from the history files: timeline T ended where T+1's history file says.
        var switchPoints = new Dictionary<TimelineId, Lsn>();
        foreach (WalSegmentObject history in objects.Where(o => o.Kind == WalKind.History))
        {
            foreach (TimelineHistoryEntry entry in TimelineHistory.Parse(await store.ReadAsync(history, cancellationToken).ConfigureAwait(false)))
                switchPoints[entry.Timeline] = entry.SwitchPoint;
        }

        var spans = new List<WalTimelineSpan>();
        var gaps = new List<WalGap>();
        foreach (IGrouping<TimelineId, WalSegmentObject> timeline in segments.GroupBy(o => o.Timeline).OrderBy(g => g.Key))
            spans.Add(Span(timeline.Key, timeline.ToList(), segmentSize, switchPoints.GetValueOrDefault(timeline.Key), gaps));
        for (int i = 1; i < spans.Count; i++)
            CheckTimelineJoin(spans[i - 1], spans[i], gaps);

        WalTimelineSpan newest = spans[^1];
        WalSegmentObject newestObject = segments.Where(o => o.Timeline == newest.Timeline).MaxBy(o => o.EndLsn(segmentSize))!;
        ulong? systemId = await ReadSystemIdAsync(store, newestObject, cancellationToken).ConfigureAwait(false);
        return new WalArchiveStatus(segmentSize, systemId, spans, gaps, newest.End, newest.Timeline, StoredTime(store, newestObject));
    }

    private static WalTimelineSpan Span(TimelineId timeline, List<WalSegmentObject> objects, int segmentSize, Lsn switchPoint, List<WalGap> gaps)
    {
        // Per segment number the best object: the full one, else the longest partial.
        var best = objects.GroupBy(o => o.SegmentNumber).OrderBy(g => g.Key)
            .Select(g => g.FirstOrDefault(o => o.Kind == WalKind.Full) ?? g.MaxBy(o => o.ValidLength)!).ToList();
        for (int i = 0; i < best.Count; i++)
        {
            WalSegmentObject segment = best[i];
            if (i > 0 && segment.SegmentNumber != best[i - 1].SegmentNumber + 1)
            {
                gaps.Add(new WalGap(timeline, Lsn.FromSegment(best[i - 1].SegmentNumber + 1, 0, segmentSize),
                    Lsn.FromSegment(segment.SegmentNumber, 0, segmentSize), "segments missing"));
            }
            if (segment.Kind == WalKind.Partial && i < best.Count - 1)
            {
                gaps.Add(new WalGap(timeline, segment.EndLsn(segmentSize), Lsn.FromSegment(segment.SegmentNumber + 1, 0, segmentSize),
                    $"{segment.WalFileName} is only partial but later segments exist"));
            }
        }
        WalSegmentObject last = best[^1];
        return new WalTimelineSpan(timeline, best[0].WalFileName, last.WalFileName, Lsn.FromSegment(best[0].SegmentNumber, 0, segmentSize),
            last.EndLsn(segmentSize), best.Count, last.Kind == WalKind.Partial, switchPoint.IsValid ? switchPoint : null);
    }

    // The child timeline must start no later than the parent's switch point, and the parent must reach it.
    private static void CheckTimelineJoin(WalTimelineSpan parent, WalTimelineSpan child, List<WalGap> gaps)
    {
        if (parent.SwitchPoint is not { } switchPoint)
        {
            gaps.Add(new WalGap(child.Timeline, parent.End, child.Start, $"no history file links timeline {parent.Timeline} to {child.Timeline}"));
            return;
        }
        if (parent.End < switchPoint && child.Start > parent.End)
            gaps.Add(new WalGap(parent.Timeline, parent.End, Lsn.Min(switchPoint, child.Start), "WAL before the timeline switch is missing"));
        if (child.Start > switchPoint)
            gaps.Add(new WalGap(child.Timeline, switchPoint, child.Start, "the new timeline's first segments are missing"));
    }

    private static async Task<ulong?> ReadSystemIdAsync(WalStore store, WalSegmentObject segment, CancellationToken cancellationToken)
        => segment.ValidLength >= WalPageHeader.LongHeaderSize
            ? WalPageHeader.TryReadSystemIdentifier(await store.ReadAsync(segment, cancellationToken).ConfigureAwait(false))
            : null;

    // Stores that are directories know when a file was written; others leave the time unknown.
    private static DateTimeOffset? StoredTime(WalStore store, WalSegmentObject segment)
        => store.Repository.Store is LocalStore local && File.Exists(Path.Combine(local.Root, segment.ObjectName))
            ? new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(local.Root, segment.ObjectName)), TimeSpan.Zero)
            : null;
}
