using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Wire.Replication;

namespace Pgark.Retention;

/// <summary>
/// How far back the WAL archive must reach. A physical backup that started at LSN S needs, for its own consistency and for
/// point-in-time recovery after it, every WAL segment from the one holding S onward, on its timeline and on the timelines
/// that follow it. LSNs only grow along a timeline path (a child timeline starts at its parent's switch point, after every
/// backup taken on the parent before the switch), so the smallest start LSN among kept backups is a cutoff that keeps what
/// every kept backup needs, and no segment wholly before it is needed by any of them.
/// </summary>
public static class WalRetention
{
    /// <summary>The cutoff and, with <see cref="RetentionPolicy.WalWithin"/>, the extra base backup that WAL needs.</summary>
    /// <param name="physical">Every physical backup of the archive's cluster.</param>
    /// <param name="kept">Ids of the backups the policy keeps.</param>
    /// <returns>Cutoff null when no physical backup of the cluster is kept: then no WAL is removed.</returns>
    public static (Lsn? Cutoff, SnapshotInfo? Base) Compute(IReadOnlyList<SnapshotInfo> physical, IReadOnlySet<string> kept,
        RetentionDuration walWithin, DateTimeOffset now)
    {
        SnapshotInfo? walBase = null;
        if (!walWithin.IsZero && physical.Count > 0)
        {
            // PITR to any moment after `from` needs a base backup that started at or before it: the newest such one, or, when
            // every backup is younger, the oldest one (nothing earlier can be recovered anyway).
            var from = walWithin.Before(now);
            walBase = physical.Where(s => s.Record.Metadata.StartTime <= from).MaxBy(s => s.Record.Metadata.StartTime)
                ?? physical.MinBy(s => s.Record.Metadata.StartTime);
        }
        var needing = physical.Where(s => kept.Contains(s.Id.ToString())).ToList();
        if (walBase is not null)
            needing.Add(walBase);
        if (needing.Count == 0)
            return (null, null);
        return (new Lsn(needing.Min(s => s.Record.Metadata.StartLsn)), walBase);
    }

    /// <summary>True when a segment of this number ends before the cutoff's segment begins, so no kept backup needs it.</summary>
    public static bool IsBefore(ulong segmentNumber, Lsn cutoff, int segmentSize) => segmentNumber < cutoff.SegmentNumber(segmentSize);

    internal static bool IsPhysical(SnapshotInfo s) => s.Record.Metadata.Kind == SnapshotKind.Physical;
}
