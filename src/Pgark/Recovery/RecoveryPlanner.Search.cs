using Pgark.Wire.Replication;

namespace Pgark.Recovery;

public sealed partial class RecoveryPlanner
{
    /// <summary>
    /// Time: PostgreSQL stops before the first transaction completion (commit or abort) whose timestamp is after the
    /// target (inclusive) or at or after it (exclusive). A binary search over segments finds the segment of that record
    /// assuming completion times grow with the WAL position, then a linear scan finds the record itself.
    /// </summary>
    private async Task<(BackupCandidate, RecoveryStop?, Lsn, Lsn)> AtTimeAsync(RecoveryTarget target, IReadOnlyList<BackupCandidate> candidates,
        PathScan scan, CancellationToken cancellationToken)
    {
        DateTimeOffset time = target.Time!.Value;
        bool After(WalMark m) => m.IsTransaction && (target.Inclusive ? m.Time > time : m.Time >= time);

        ulong lo = scan.First, hi = scan.IsEmpty ? scan.First : scan.Last + 1;
        while (lo < hi)
        {
            ulong mid = lo + ((hi - lo) / 2);
            WalMark? first = await FirstTransactionFromAsync(scan, mid, cancellationToken).ConfigureAwait(false);
            if (first is null || After(first.Value))
                hi = mid;
            else
                lo = mid + 1;
        }

        // The record before which replay stops, and the last completion that is still in.
        WalMark? last = null;
        for (ulong n = lo > scan.First ? lo - 1 : lo; !scan.IsEmpty && n <= scan.Last; n++)
        {
            foreach (WalMark mark in (await scan.MarksAsync(n, cancellationToken).ConfigureAwait(false)).Marks)
            {
                if (After(mark))
                {
                    var stop = new RecoveryStop(mark.Lsn, Inclusive: false, mark, last, mark);
                    return (NewestBefore(candidates, mark.Lsn, target), stop, mark.Lsn, mark.EndLsn);
                }
                if (mark.IsTransaction)
                    last = mark;
            }
        }
        throw Beyond(scan, target, last is { } l ? $"the newest archived transaction completed at {Format(l.Time)} (xid {l.Xid}, {l.Lsn})" : null);
    }

    // The first transaction completion at or after the start of segment n (null when none up to the end of the run).
    private static async Task<WalMark?> FirstTransactionFromAsync(PathScan scan, ulong n, CancellationToken cancellationToken)
    {
        for (; n <= scan.Last; n++)
        {
            foreach (WalMark mark in (await scan.MarksAsync(n, cancellationToken).ConfigureAwait(false)).Marks)
            {
                if (mark.IsTransaction)
                    return mark;
            }
        }
        return null;
    }

    /// <summary>LSN: the position itself; the segments around it are read only to show which transactions are in and out.</summary>
    private async Task<(BackupCandidate, RecoveryStop?, Lsn, Lsn)> AtLsnAsync(RecoveryTarget target, IReadOnlyList<BackupCandidate> candidates,
        PathScan scan, CancellationToken cancellationToken)
    {
        Lsn lsn = target.Position!.Value;
        if (scan.IsEmpty || lsn >= scan.End)
            throw Beyond(scan, target, null);
        BackupCandidate backup = NewestBefore(candidates, lsn, target);
        WalMark? last = null, next = null;
        ulong segment = lsn.SegmentNumber(map.SegmentSize);
        for (ulong n = segment > scan.First ? segment - 1 : segment; n <= scan.Last && next is null; n++)
        {
            foreach (WalMark mark in (await scan.MarksAsync(n, cancellationToken).ConfigureAwait(false)).Marks.Where(m => m.IsTransaction))
            {
                bool replayed = target.Inclusive ? mark.Lsn <= lsn : mark.Lsn < lsn;
                if (replayed)
                    last = mark;
                else if (next is null)
                    next = mark;
            }
            if (n > segment)
                break;
        }
        return (backup, new RecoveryStop(lsn, target.Inclusive, null, last, next), lsn, lsn + 1);
    }

    /// <summary>
    /// Xid and restore point: PostgreSQL stops at the first matching record after the backup's start. Windows are
    /// scanned newest backup first ([its start, the previous window)), so usually only WAL after the newest backup is read.
    /// </summary>
    private async Task<(BackupCandidate, RecoveryStop?, Lsn, Lsn)> AtMatchAsync(RecoveryTarget target, IReadOnlyList<BackupCandidate> candidates,
        PathScan scan, CancellationToken cancellationToken)
    {
        bool Matches(WalMark m) => target.Kind == RecoveryTargetKind.Xid ? m.IsTransaction && m.Xid == target.Xid
            : m.Kind == WalMarkKind.RestorePoint && m.Name == target.Name;
        var found = new SortedList<Lsn, WalMark>();
        ulong windowEnd = scan.IsEmpty ? scan.First : scan.Last + 1;
        for (int i = candidates.Count - 1; i >= 0; i--)
        {
            BackupCandidate backup = candidates[i];
            ulong windowStart = backup.StartLsn.SegmentNumber(map.SegmentSize);
            for (ulong n = windowStart; n < windowEnd; n++)
            {
                foreach (WalMark mark in (await scan.MarksAsync(n, cancellationToken).ConfigureAwait(false)).Marks)
                {
                    if (Matches(mark))
                        found.TryAdd(mark.Lsn, mark);
                }
            }
            windowEnd = Math.Min(windowEnd, windowStart);
            // PostgreSQL stops at the first match after the backup's start; before the backup's end that backup cannot stop there.
            if (found.Values.Where(m => m.Lsn >= backup.StartLsn).Select(m => (WalMark?)m).FirstOrDefault() is { } match && match.Lsn >= backup.EndLsn)
            {
                RecoveryStop stop = StopAt(target, match);
                return (backup, stop, stop.Inclusive ? match.EndLsn : match.Lsn, match.EndLsn);
            }
        }
        if (found.Count > 0)
            throw new RecoveryPlanException(RecoveryRefusal.BeforeFirstBackup,
                $"the target ({target}) is at {found.Values[0].Lsn}, before the end of every backup that could replay to it "
                + $"(the oldest usable one, {candidates[0].ShortId}, is consistent from {candidates[0].EndLsn})",
                "a backup can only be recovered to moments after it finished; choose a later target");
        if (scan.MissingAfterLast is { } missing)
            throw MissingSegment(missing, target);
        throw new RecoveryPlanException(RecoveryRefusal.TargetNotFound,
            target.Kind == RecoveryTargetKind.Xid
                ? $"transaction {target.Xid} has no commit or abort record in the archived WAL from {candidates[0].StartLsn} to {scan.End}"
                : $"restore point '{target.Name}' is not in the archived WAL from {candidates[0].StartLsn} to {scan.End}",
            "pgark wal show --repo R --from L --to L lists the transactions and restore points the archive holds");
    }

    private static RecoveryStop StopAt(RecoveryTarget target, WalMark match)
    {
        // A restore point is always replayed (PostgreSQL stops just after it); a transaction as the user chose.
        bool inclusive = target.Kind == RecoveryTargetKind.Name || target.Inclusive;
        return new RecoveryStop(match.Lsn, inclusive, match, inclusive && match.IsTransaction ? match : null, inclusive ? null : match);
    }

    /// <summary>Latest: all archived WAL on the path, up to the end of the contiguous run from the backup's start.</summary>
    private async Task<(BackupCandidate, RecoveryStop?, Lsn, Lsn)> LatestAsync(BackupCandidate backup, TimelinePath path, CancellationToken cancellationToken)
    {
        PathScan scan = NewScan(path, backup.StartLsn);
        if (scan.MissingAfterLast is { } missing)
            throw MissingSegment(missing, RecoveryTarget.Latest);
        if (scan.IsEmpty || scan.End < backup.EndLsn)
            throw new RecoveryPlanException(RecoveryRefusal.WalGap,
                $"the archive holds WAL on timeline {path.Target}'s history only up to {scan.End}, but backup {backup.ShortId} needs it up to {backup.EndLsn}",
                "archive the backup's WAL (pgark wal stream, or archive_command = pgark wal push) before recovering from it");
        // The newest completion shows what "latest" reaches; read back at most a few segments to find one.
        WalMark? last = null;
        for (ulong n = scan.Last; last is null && n >= scan.First && scan.Last - n < 4; n--)
        {
            IReadOnlyList<WalMark> marks = (await scan.MarksAsync(n, cancellationToken).ConfigureAwait(false)).Marks;
            last = marks.LastOrDefault(m => m.IsTransaction) is { Kind: WalMarkKind.Commit or WalMarkKind.Abort } found ? found : null;
            if (n == 0)
                break;
        }
        return (backup, new RecoveryStop(scan.End, Inclusive: true, null, last, null), scan.End, scan.End);
    }

    private static RecoveryPlanException Beyond(PathScan scan, RecoveryTarget target, string? newest)
    {
        if (scan.MissingAfterLast is { } missing)
            return MissingSegment(missing, target);
        return new RecoveryPlanException(RecoveryRefusal.BeyondArchive,
            $"the target ({target}) is beyond the archived WAL, which ends at {scan.End}" + (newest is null ? "" : $"; {newest}"),
            "wait until the WAL after the target is archived (pgark status shows the newest durable position), or use --latest");
    }

    private static RecoveryPlanException MissingSegment(string missing, RecoveryTarget target)
        => new(RecoveryRefusal.WalGap, $"WAL segment {missing} is not archived, and recovery to the target ({target}) must replay it",
            "find the segment (pg_wal of the server, another archive) and pgark wal push it; or choose a target before the gap");

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture) + "+00";
}
