using Pgark.Recovery;
using Pgark.Wire.Replication;

namespace Pgark.Verification;

/// <summary>
/// The WAL archive's gaps per timeline (between two ranges of archived segments, or after a partial segment that later
/// segments follow), each tied to the recovery window it cuts short, and timelines whose history file is missing.
/// </summary>
internal static class ArchiveProblems
{
    public static List<WalArchiveProblem> Find(WalArchiveMap map, IReadOnlyList<PitrWindow> windows)
    {
        var problems = new List<WalArchiveProblem>();
        var size = map.SegmentSize;
        foreach (var timeline in map.Timelines)
        {
            for (var i = 0; i + 1 < timeline.Ranges.Count; i++)
            {
                var before = timeline.Ranges[i];
                var after = timeline.Ranges[i + 1];
                var reason = before.EndsWithPartial
                    ? $"{Name(timeline.Timeline, before.LastSegment, size)} is only a partial segment (up to {before.End}) but later segments exist"
                    : MissingText(timeline.Timeline, before.LastSegment + 1, after.FirstSegment - 1, size);
                var broken = windows.Where(w => w.To == before.End && w.To < after.Start && OnPath(map, w.Timeline, timeline.Timeline, before.End))
                    .OrderBy(w => w.Timeline == timeline.Timeline ? 0 : 1).FirstOrDefault();
                problems.Add(new WalArchiveProblem(timeline.Timeline, before.End, after.Start, reason, broken));
            }
            if (timeline.Timeline.Value > 1 && !map.HasHistory(timeline.Timeline))
                problems.Add(new WalArchiveProblem(timeline.Timeline, timeline.Ranges[0].Start, timeline.End,
                    $"timeline {timeline.Timeline} has no history file ({timeline.Timeline.HistoryFileName}), so no recovery can follow it", null));
        }
        return problems;
    }

    private static bool OnPath(WalArchiveMap map, TimelineId windowTimeline, TimelineId gapTimeline, Lsn at)
        => windowTimeline == gapTimeline || map.PathTo(windowTimeline)?.TimelineForSegment(at.SegmentNumber(map.SegmentSize), map.SegmentSize) == gapTimeline;

    private static string Name(TimelineId timeline, ulong segment, int size) => Lsn.FromSegment(segment, 0, size).WalFileName(timeline, size);

    private static string MissingText(TimelineId timeline, ulong first, ulong last, int size)
        => first == last ? $"segment {Name(timeline, first, size)} is missing"
            : $"segments {Name(timeline, first, size)} .. {Name(timeline, last, size)} are missing";
}
