namespace Pgark.Wal.Reader;

/// <summary>The xl_info record types pgark decodes or counts (xlog_internal.h, pg_control.h, xact.h, heapam_xlog.h).</summary>
public static class WalRecordTypes
{
    public const byte RmgrInfoMask = 0xF0;

    // RM_XLOG_ID (pg_control.h)
    public const byte CheckpointShutdown = 0x00;
    public const byte CheckpointOnline = 0x10;
    public const byte Switch = 0x40;
    public const byte RestorePoint = 0x70;

    // RM_XACT_ID (xact.h): the opcode is info & 0x70; 0x80 says an xinfo word follows.
    public const byte XactOpMask = 0x70;
    public const byte XactHasInfo = 0x80;
    public const byte XactCommit = 0x00;
    public const byte XactPrepare = 0x10;
    public const byte XactAbort = 0x20;
    public const byte XactCommitPrepared = 0x30;
    public const byte XactAbortPrepared = 0x40;

    // RM_HEAP_ID (heapam_xlog.h): opcode is info & 0x70; 0x80 is XLOG_HEAP_INIT_PAGE.
    public const byte HeapOpMask = 0x70;
    public const byte HeapInitPage = 0x80;
    public const byte HeapDelete = 0x10;

    private static readonly string?[] s_xlog =
    [
        "CHECKPOINT_SHUTDOWN", "CHECKPOINT_ONLINE", "NOOP", "NEXTOID", "SWITCH", "BACKUP_END", "PARAMETER_CHANGE",
        "RESTORE_POINT", "FPW_CHANGE", "END_OF_RECOVERY", "FPI_FOR_HINT", "FPI", null, "OVERWRITE_CONTRECORD", "CHECKPOINT_REDO", null,
    ];

    private static readonly string[] s_xact = ["COMMIT", "PREPARE", "ABORT", "COMMIT_PREPARED", "ABORT_PREPARED", "ASSIGNMENT", "INVALIDATION", "?"];
    private static readonly string[] s_heap = ["INSERT", "DELETE", "UPDATE", "TRUNCATE", "HOT_UPDATE", "HEAP_CONFIRM", "LOCK", "INPLACE"];
    private static readonly string[] s_heap2 = ["REWRITE", "PRUNE", "VACUUM", "FREEZE_PAGE", "VISIBLE", "MULTI_INSERT", "LOCK_UPDATED", "NEW_CID"];

    private static readonly string[] s_btree =
    [
        "INSERT_LEAF", "INSERT_UPPER", "INSERT_META", "SPLIT_L", "SPLIT_R", "INSERT_POST", "DEDUP", "DELETE",
        "UNLINK_PAGE", "UNLINK_PAGE_META", "NEWROOT", "MARK_PAGE_HALFDEAD", "VACUUM", "REUSE_PAGE", "META_CLEANUP", "?",
    ];

    /// <summary>
    /// The record type name pg_waldump prints first in "desc:" (rm_identify), for the resource managers pgark knows;
    /// null for the others. Heap2 names are PostgreSQL 15/16's (17 renamed PRUNE/VACUUM/FREEZE_PAGE).
    /// </summary>
    public static string? Identify(WalResourceManager rmgr, byte info)
    {
        int high = (info & RmgrInfoMask) >> 4;
        return rmgr switch
        {
            WalResourceManager.Xlog => s_xlog[high],
            WalResourceManager.Transaction => s_xact[(info & XactOpMask) >> 4],
            WalResourceManager.Heap => s_heap[(info & HeapOpMask) >> 4] + HeapInit(info, initAllowed: (info & HeapOpMask) is 0x00 or 0x20 or 0x40),
            WalResourceManager.Heap2 => s_heap2[(info & HeapOpMask) >> 4] + HeapInit(info, initAllowed: (info & HeapOpMask) == 0x50),
            WalResourceManager.Btree => s_btree[high],
            WalResourceManager.Standby => high switch { 0 => "LOCK", 1 => "RUNNING_XACTS", 2 => "INVALIDATIONS", _ => null },
            WalResourceManager.Storage => high switch { 1 => "CREATE", 2 => "TRUNCATE", _ => null },
            _ => null,
        };
    }

    private static string HeapInit(byte info, bool initAllowed) => initAllowed && (info & HeapInitPage) != 0 ? "+INIT" : "";
}
