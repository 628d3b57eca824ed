using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>The WAL records a recovery target can stop at.</summary>
public enum WalMarkKind
{
    Commit,
    Abort,
    RestorePoint,
}

/// <summary>
/// One record a recovery target is decided on: a transaction's commit or abort (xid, commit timestamp) or a restore
/// point (name, time). <paramref name="Lsn"/> is where the record starts, <paramref name="EndLsn"/> just past it.
/// </summary>
public readonly record struct WalMark(WalMarkKind Kind, Lsn Lsn, Lsn EndLsn, uint Xid, DateTimeOffset Time, string? Name = null)
{
    public bool IsTransaction => Kind is WalMarkKind.Commit or WalMarkKind.Abort;
}

/// <summary>The marks of the records that start in one segment, in WAL order, and the end of the last record starting there.</summary>
public sealed record SegmentMarks(IReadOnlyList<WalMark> Marks, Lsn LastRecordEnd);

/// <summary>
/// Where the planner reads WAL content: only around the target, one segment at a time. The repository's archive in
/// production (<see cref="ArchivedWalMarks"/>), a list of marks in unit tests.
/// </summary>
public interface IWalMarkSource
{
    /// <summary>Marks of records starting in <paramref name="segment"/>; <paramref name="next"/> (when archived) completes a record crossing its end.</summary>
    Task<SegmentMarks> ReadAsync(ArchivedSegment segment, ArchivedSegment? next, CancellationToken cancellationToken);
}
