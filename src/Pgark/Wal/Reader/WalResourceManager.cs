namespace Pgark.Wal.Reader;

/// <summary>xl_rmid: PostgreSQL's built-in resource managers (src/include/access/rmgrlist.h), the same ids in 13 to 18.</summary>
public enum WalResourceManager : byte
{
    Xlog = 0,
    Transaction = 1,
    Storage = 2,
    Clog = 3,
    Database = 4,
    Tablespace = 5,
    MultiXact = 6,
    RelMap = 7,
    Standby = 8,
    Heap2 = 9,
    Heap = 10,
    Btree = 11,
    Hash = 12,
    Gin = 13,
    Gist = 14,
    Sequence = 15,
    SPGist = 16,
    Brin = 17,
    CommitTs = 18,
    ReplicationOrigin = 19,
    Generic = 20,
    LogicalMessage = 21,
}

/// <summary>Resource manager names as pg_waldump prints them (RmgrTable rm_name).</summary>
public static class WalResourceManagers
{
    /// <summary>RM_MAX_BUILTIN_ID.</summary>
    public const byte MaxBuiltinId = 21;

    /// <summary>RM_MIN_CUSTOM_ID (PostgreSQL 15+): ids 128..255 belong to extensions.</summary>
    public const byte MinCustomId = 128;

    private static readonly string[] s_names =
    [
        "XLOG", "Transaction", "Storage", "CLOG", "Database", "Tablespace", "MultiXact", "RelMap", "Standby", "Heap2",
        "Heap", "Btree", "Hash", "Gin", "Gist", "Sequence", "SPGist", "BRIN", "CommitTs", "ReplicationOrigin",
        "Generic", "LogicalMessage",
    ];

    /// <summary>True for an id a record may carry: built-in, or in the custom range.</summary>
    public static bool IsValidId(byte rmid) => rmid <= MaxBuiltinId || rmid >= MinCustomId;

    /// <summary>"Heap", "Transaction", …; custom managers as "custom128".</summary>
    public static string Name(byte rmid) => rmid <= MaxBuiltinId ? s_names[rmid] : $"custom{rmid}";
}
