using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// Where replay stops, as the settings that make PostgreSQL stop there: <c>recovery_target_lsn = Lsn</c> and
/// <c>recovery_target_inclusive = Inclusive</c>. <paramref name="LastIncluded"/> is the last transaction completion
/// replayed, <paramref name="FirstExcluded"/> the first one not replayed (either may be absent).
/// </summary>
/// <param name="Record">The record the target names: the transaction's completion, the restore point, or (time targets)
/// the first transaction after the time, before which replay stops.</param>
public sealed record RecoveryStop(Lsn Lsn, bool Inclusive, WalMark? Record, WalMark? LastIncluded, WalMark? FirstExcluded);

/// <summary>
/// A verified recovery: restore <see cref="Backup"/>, then replay <see cref="Wal"/> along <see cref="Path"/> and stop
/// at <see cref="Stop"/> (none for latest and immediate). Every segment in <see cref="Wal"/> was proven archived.
/// </summary>
/// <param name="ReplayEnd">Where replay ends: the stop, the backup's end (immediate) or the end of the archived WAL (latest).</param>
/// <param name="SegmentsRead">WAL segments decoded while planning (metadata alone decided everything else).</param>
public sealed record RecoveryPlan(RecoveryTarget Target, BackupCandidate Backup, TimelinePath Path, RecoveryStop? Stop, Lsn ReplayEnd,
    WalSpan Wal, int SegmentSize, int SegmentsRead)
{
    public TimelineId TargetTimeline => Path.Target;

    /// <summary>WAL bytes over the measured replay rate (<see cref="ReplayRate"/>).</summary>
    public TimeSpan EstimatedReplay => ReplayRate.Estimate(Wal.Bytes);
}
