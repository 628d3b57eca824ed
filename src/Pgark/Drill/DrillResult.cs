using Pgark.Repository.Format;

namespace Pgark.Drill;

/// <summary>How a table's restored figures compare with the ones recorded at backup time.</summary>
public enum TableMatch
{
    /// <summary>Rows (and checksum, where recorded) equal the recorded values.</summary>
    Match,
    /// <summary>Rows or checksum differ.</summary>
    Mismatch,
    /// <summary>The backup recorded nothing for this table; only the restored count is shown.</summary>
    NotRecorded,
    /// <summary>Recorded at backup time but absent (or unreadable) in the restored server.</summary>
    Missing,
    /// <summary>One of the table's files (heap, index, TOAST, fork) failed verification during restore.</summary>
    Damaged,
}

/// <summary>One row of the drill's table: a table's expected and restored figures.</summary>
/// <param name="Table">format('%I.%I', schema, name).</param>
/// <param name="ExpectedChecksum">The backup's row-set digest (logical backups), else null.</param>
public sealed record TableCheck(string Database, string Table, long? ExpectedRows, long? RestoredRows, string? ExpectedChecksum,
    string? RestoredChecksum, TableMatch Match);

/// <summary>A restored file whose stored data failed verification, and the relation it belongs to when it could be named.</summary>
/// <param name="Relation">"database: schema.table" (with the index or TOAST table in parentheses), or null when unknown.</param>
public sealed record DamagedRelation(string Path, string? Database, string? Table, string? Relation, string Problem);

/// <summary>What amcheck found; <see cref="Available"/> is false when the server has no amcheck extension.</summary>
public sealed record AmcheckReport(bool Available, int IndexesChecked, int TablesChecked, IReadOnlyList<string> Failures)
{
    public static AmcheckReport NotRun { get; } = new(false, 0, 0, []);
}

/// <summary>The measured restore time: the RTO an operator would get, in its three parts (repository-format.md §18).</summary>
/// <param name="Restore">Writing the data directory (physical) or loading the database (logical).</param>
/// <param name="WalReplay">From starting the server until recovery reached its target and the server was promoted.</param>
/// <param name="Checks">Row counts, checksums and amcheck.</param>
public sealed record DrillTimings(TimeSpan Restore, TimeSpan WalReplay, TimeSpan Checks)
{
    /// <summary>The sum of the three: a restore is not done before it has been checked.</summary>
    public TimeSpan Rto => Restore + WalReplay + Checks;
}

/// <summary>Where a kept scratch server lives (<see cref="DrillOptions.Keep"/>).</summary>
public sealed record KeptServer(string Directory, string DataDirectory, string ConnInfo, int? PostmasterProcessId);

/// <summary>The outcome of a restore drill.</summary>
/// <param name="SnapshotId">The full snapshot id.</param>
/// <param name="RecoveryTargetLsn">The LSN recovery stopped before (physical drills with recorded row counts), else null.</param>
/// <param name="ReachedLsn">pg_last_wal_replay_lsn() once recovery ended (physical drills whose server started), else null.</param>
/// <param name="RowCountsRecorded">Whether the backup recorded row counts to compare against.</param>
/// <param name="Problems">Every reason the drill failed, one sentence each; empty when it passed.</param>
public sealed record DrillResult(
    string SnapshotId,
    SnapshotKind Kind,
    int ServerVersionNumber,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string? RecoveryTargetLsn,
    string? ReachedLsn,
    bool RowCountsRecorded,
    DrillTimings Timings,
    IReadOnlyList<TableCheck> Tables,
    IReadOnlyList<DamagedRelation> Damaged,
    AmcheckReport Amcheck,
    IReadOnlyList<string> Problems,
    KeptServer? Kept)
{
    /// <summary>The time <see cref="DrillOptions.Target"/> named when it was a time target, else null.</summary>
    public DateTimeOffset? RecoveryTargetTime { get; init; }

    /// <summary>The target the drill recovered to (<see cref="DrillOptions.Target"/>), else null (the backup's own end).</summary>
    public Recovery.RecoveryTarget? RecoveryTarget { get; init; }

    public bool Passed => Problems.Count == 0;

    public string ShortId => SnapshotId.Length > 8 ? SnapshotId[..8] : SnapshotId;
}
