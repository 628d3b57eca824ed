using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// Turns a recovery target into a <see cref="RecoveryPlan"/> or a precise refusal (spec/recovery.md). Metadata decides
/// the timeline path, the backup and WAL continuity; WAL content is decoded only to find the stopping record.
/// </summary>
public sealed partial class RecoveryPlanner(WalArchiveMap map, IReadOnlyList<BackupCandidate> backups, IWalMarkSource wal)
{
    public async Task<RecoveryPlan> PlanAsync(RecoveryTarget target, TimelineChoice timeline, CancellationToken cancellationToken = default)
    {
        // The target timeline and the history that leads to it.
        if (backups.Count == 0)
            throw new RecoveryPlanException(RecoveryRefusal.NoBackup, "the repository has no physical backup",
                "take one with pgark backup --repo R --db CONNINFO; recovery starts from a backup");
        TimelinePath path = ResolvePath(timeline);

        // The backups that lie on that history, oldest first.
        IReadOnlyList<BackupCandidate> candidates = OnPath(path);
        PathScan scan = NewScan(path, candidates[0].StartLsn);

        // The stopping point, and the newest backup consistent before it.
        (BackupCandidate backup, RecoveryStop? stop, Lsn replayEnd, Lsn needed) = target.Kind switch
        {
            RecoveryTargetKind.Immediate => (candidates[^1], null, candidates[^1].EndLsn, candidates[^1].EndLsn),
            RecoveryTargetKind.Latest => await LatestAsync(candidates[^1], path, cancellationToken).ConfigureAwait(false),
            RecoveryTargetKind.Lsn => await AtLsnAsync(target, candidates, scan, cancellationToken).ConfigureAwait(false),
            RecoveryTargetKind.Time => await AtTimeAsync(target, candidates, scan, cancellationToken).ConfigureAwait(false),
            _ => await AtMatchAsync(target, candidates, scan, cancellationToken).ConfigureAwait(false),
        };

        // Every byte from the backup's start to what the stop needs must be archived.
        WalSpan span = WalContinuity.Prove(map, path, backup.StartLsn, needed);
        return new RecoveryPlan(target, backup, path, stop, replayEnd, span, map.SegmentSize, _scans.Sum(s => s.SegmentsDecoded));
    }

    private readonly List<PathScan> _scans = [];

    private PathScan NewScan(TimelinePath path, Lsn from)
    {
        var scan = new PathScan(map, path, wal, from.SegmentNumber(RequireSegmentSize()));
        _scans.Add(scan);
        return scan;
    }

    private int RequireSegmentSize() => map.SegmentSize != 0 ? map.SegmentSize
        : throw new RecoveryPlanException(RecoveryRefusal.WalGap, "the repository's WAL archive is empty",
            "archive WAL with pgark wal stream --repo R --db CONNINFO, or archive_command = 'pgark wal push --repo R %p'");

    private TimelinePath ResolvePath(TimelineChoice choice)
    {
        TimelineId target = choice.Explicit
            ?? (choice.Current ? backups[^1].Timeline : Max(map.LatestTimeline, backups.Max(b => b.Timeline)));
        return map.PathTo(target) ?? throw new RecoveryPlanException(RecoveryRefusal.MissingHistory,
            $"timeline {target} has no history file {target.HistoryFileName} in the archive, so its ancestry is unknown",
            "archive it (pgark wal push --repo R pg_wal/" + target.HistoryFileName + ") or choose another timeline with --timeline");
    }

    private static TimelineId Max(TimelineId? a, TimelineId b) => a is { } x && x > b ? x : b;

    /// <summary>Backups whose timeline is on the path and which were consistent before that timeline's switch point.</summary>
    private IReadOnlyList<BackupCandidate> OnPath(TimelinePath path)
    {
        var onPath = backups.Where(b => path.EndOf(b.Timeline) is { } end && b.EndLsn <= end).ToList();
        if (onPath.Count > 0)
            return onPath;
        BackupCandidate newest = backups[^1];
        string why = path.EndOf(newest.Timeline) is { } switchPoint
            ? $"timeline {path.Target} forked from timeline {newest.Timeline} at {switchPoint}, before the backup ended at {newest.EndLsn}"
            : $"timeline {newest.Timeline} is not on its history ({path})";
        throw new RecoveryPlanException(RecoveryRefusal.TimelineNotDescendant,
            $"no backup lies on the history of timeline {path.Target}: backup {newest.ShortId} is on timeline {newest.Timeline}, and {why}",
            "choose the backup's timeline with --timeline current (or its number), or take a backup on the target timeline");
    }

    /// <summary>The newest candidate that is consistent at or before <paramref name="stop"/>, or a refusal naming the oldest.</summary>
    private static BackupCandidate NewestBefore(IReadOnlyList<BackupCandidate> candidates, Lsn stop, RecoveryTarget target)
        => candidates.LastOrDefault(b => b.EndLsn <= stop) ?? throw new RecoveryPlanException(RecoveryRefusal.BeforeFirstBackup,
            $"the target ({target}, stopping at {stop}) is before the end of the oldest usable backup {candidates[0].ShortId} "
            + $"(consistent from {candidates[0].EndLsn}, finished {candidates[0].EndTime.UtcDateTime:yyyy-MM-dd HH:mm:ss}+00)",
            "a backup can only be recovered to moments after it finished; choose a later target");
}
