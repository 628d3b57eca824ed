using Pgark.Wal.Reader;
using Pgark.Wire.Replication;

namespace Pgark.Wal.Show;

/// <summary>
/// What one transaction did to one relation, as far as the WAL records say: rows inserted (heap INSERT, Heap2
/// MULTI_INSERT's ntuples), updated (heap UPDATE and HOT_UPDATE: one row each), deleted (heap DELETE: one row each), and
/// how many records touched it at all (index and other resource managers included).
/// </summary>
/// <param name="ResourceManager">The resource manager of the records ("Heap" for tables, "Btree" for indexes, …).</param>
public sealed record WalShowRelation(RelFileLocator Relation, string ResourceManager, long Inserted, long Updated, long Deleted, long Records);

/// <summary>One transaction end (commit or abort record) with the changes pgark saw it make.</summary>
/// <param name="Lsn">Start of the commit/abort record: a recovery_target_lsn here stops just before (exclusive) or after it.</param>
/// <param name="EndLsn">Just past the commit/abort record.</param>
/// <param name="Databases">Databases touched: the record's own (XACT_XINFO_HAS_DBINFO) and every changed relation's.</param>
/// <param name="FirstChangeLsn">The first record of this transaction (or its subtransactions) that was read; null when none.</param>
/// <param name="RelationsTruncated">More relations were touched than the request allows counting.</param>
public sealed record WalShowTransaction(
    XactCompletionKind Kind,
    uint Xid,
    DateTime Time,
    Lsn Lsn,
    Lsn EndLsn,
    TimelineId Timeline,
    IReadOnlyList<uint> Subxacts,
    IReadOnlyList<uint> Databases,
    IReadOnlyList<WalShowRelation> Relations,
    IReadOnlyList<RelFileLocator> DroppedRelations,
    Lsn? FirstChangeLsn,
    bool RelationsTruncated)
{
    public bool IsCommit => Kind is XactCompletionKind.Commit or XactCompletionKind.CommitPrepared;

    /// <summary>"COMMIT", "ABORT", "COMMIT_PREPARED", "ABORT_PREPARED" as pg_waldump names the records.</summary>
    public string KindName => Kind switch
    {
        XactCompletionKind.Commit => "COMMIT",
        XactCompletionKind.Abort => "ABORT",
        XactCompletionKind.CommitPrepared => "COMMIT_PREPARED",
        _ => "ABORT_PREPARED",
    };
}
