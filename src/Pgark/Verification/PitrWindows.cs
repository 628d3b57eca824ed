using Pgark.Recovery;
using Pgark.Repository.Snapshots;
using Pgark.Wire.Replication;

namespace Pgark.Verification;

/// <summary>
/// Where point-in-time recovery can go, from the physical backups and the WAL archive map alone. A backup B (timeline T,
/// start S, end E) can recover to any position from E up to where the archive first fails it along the history of a
/// timeline X that contains B's start (X = T, or a later timeline whose history passes through T after S): walking segment
/// numbers from S's segment, each must be archived on the timeline PostgreSQL would read it from, fully, except that a
/// partial segment ends the walk at its valid length. The window on X is the part of [E, reach) at or after where X begins.
/// Windows of several backups on one timeline that overlap or touch are merged.
/// </summary>
public static class PitrWindows
{
    /// <summary>Windows (without times), oldest first per timeline, and for each timeline the reach of every window.</summary>
    public static IReadOnlyList<PitrWindow> Compute(WalArchiveMap map, IEnumerable<SnapshotInfo> physicalBackups)
    {
        var raw = new List<(TimelineId Timeline, Lsn From, Lsn To, SnapshotInfo Backup)>();
        if (map.SegmentSize == 0)
            return [];
        var timelines = map.Timelines.Select(t => t.Timeline).Concat(map.HistoryFiles).Distinct().Order().ToList();
        foreach (var backup in physicalBackups)
        {
            var m = backup.Record.Metadata;
            var start = new Lsn(m.StartLsn);
            var end = new Lsn(m.EndLsn);
            foreach (var timeline in timelines)
            {
                if (map.PathTo(timeline) is not { } path || !path.Contains(new TimelineId(m.Timeline)) || path.TimelineAt(start).Value != m.Timeline)
                    continue;
                var reach = Reach(map, path, start);
                var begin = path.Steps.First(s => s.Timeline == timeline).Begin;
                var from = Lsn.Max(end, begin);
                if (reach > from)
                    raw.Add((timeline, from, reach, backup));
            }
        }
        return Merge(raw);
    }

    /// <summary>How far recovery along <paramref name="path"/> can read WAL without a gap, starting at <paramref name="start"/>.</summary>
    public static Lsn Reach(WalArchiveMap map, TimelinePath path, Lsn start)
    {
        var size = map.SegmentSize;
        for (var n = start.SegmentNumber(size); ; n++)
        {
            var timeline = path.TimelineForSegment(n, size);
            if (!map.TryFindSegment(timeline, n, out var segment))
                return Lsn.FromSegment(n, 0, size);
            if (segment.IsPartial)
                return segment.End(size);
        }
    }

    private static List<PitrWindow> Merge(List<(TimelineId Timeline, Lsn From, Lsn To, SnapshotInfo Backup)> raw)
    {
        var windows = new List<PitrWindow>();
        foreach (var group in raw.GroupBy(r => r.Timeline).OrderBy(g => g.Key))
        {
            PitrWindow? current = null;
            foreach (var (timeline, from, to, backup) in group.OrderBy(r => r.From).ThenBy(r => r.To))
            {
                var endTime = backup.Record.Metadata.EndTime;
                if (current is not null && from <= current.To)
                {
                    current = current with { To = Lsn.Max(current.To, to), Backups = [.. current.Backups, backup.ShortId] };
                    continue;
                }
                if (current is not null)
                    windows.Add(current);
                current = new PitrWindow(timeline, from, to, endTime, null, [backup.ShortId]);
            }
            if (current is not null)
                windows.Add(current);
        }
        return windows;
    }
}
