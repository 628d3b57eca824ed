using Pgark.Wire.Connection;

namespace Pgark.Logical.Restore;

/// <summary>What to restore from a logical snapshot and where.</summary>
public sealed record LogicalRestoreOptions
{
    /// <summary>The target database (with <see cref="CreateDatabase"/>: the database to connect to for CREATE DATABASE).</summary>
    public required ConnectionSettings Target { get; init; }
    /// <summary>Snapshot id or unique prefix.</summary>
    public required string SnapshotId { get; init; }
    /// <summary>Worker connections loading tables and building their indexes in parallel (1–64).</summary>
    public int Jobs { get; init; } = 1;
    /// <summary>Only these tables ("schema.table", or "table" when the name is unique); empty restores everything.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];
    public bool SchemaOnly { get; init; }
    public bool DataOnly { get; init; }
    /// <summary>
    /// Create this database first (TEMPLATE template0, the source's encoding, locale and default tablespace) and restore into it, with the source database's
    /// owner, comment, connection limit, template flag, privileges and settings (applied last). Without it the restore goes
    /// into <see cref="Target"/>'s database and leaves that database's own properties as they are (as pg_restore without --create).
    /// </summary>
    public string? CreateDatabase { get; init; }
    /// <summary>Skip the ALTER ... OWNER TO statements: restored objects belong to the restoring role.</summary>
    public bool NoOwner { get; init; }
    /// <summary>Skip privileges (GRANT/REVOKE, column privileges, ALTER DEFAULT PRIVILEGES).</summary>
    public bool NoPrivileges { get; init; }
    /// <summary>
    /// Create every object, and a created database, in the target's default tablespace instead of the one the source used (as
    /// pg_restore --no-tablespaces): for a target server without the source's tablespaces.
    /// </summary>
    public bool NoTablespaces { get; init; }
    /// <summary>
    /// With <see cref="CreateDatabase"/>: skip the per-role settings of the database (ALTER ROLE ... IN DATABASE ... SET), which
    /// name roles a target server without the source's roles lacks. The database's own settings are still applied.
    /// </summary>
    public bool NoRoleSettings { get; init; }
    /// <summary>
    /// First restore the backup's roles and tablespaces (taken with --globals) through <see cref="Target"/>'s connection: roles
    /// and tablespaces that exist already are kept (their attributes, settings and memberships are still applied).
    /// </summary>
    public bool Globals { get; init; }
    /// <summary>With <see cref="Globals"/>: tablespace locations to create elsewhere (old directory → new directory).</summary>
    public IReadOnlyDictionary<string, string> TablespaceMapping { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// Also COPY each loaded table back out and compare its row count and row-set digest with the backup's (and read each large
    /// object back): a second full read, which catches a target server that stores a value differently from its text (another
    /// major version, say). Without it every table is still verified as it is loaded (<see cref="LogicalRestoreResult.TablesVerified"/>).
    /// </summary>
    public bool ReadBack { get; init; }
    /// <summary>
    /// Receives <see cref="LogicalRestoreProgress"/> once before the data step and once per table loaded (the last report
    /// has every table); called from the loading tasks, one report at a time. Not called for a schema-only restore.
    /// </summary>
    public IProgress<LogicalRestoreProgress>? Progress { get; init; }
    /// <summary>The smallest part a table is loaded in when it is loaded over several workers at once (tests make it small).</summary>
    internal long MinTablePartBytes { get; init; } = TableParts.MinPartBytes;
}

/// <summary>How far the data step of a logical restore has got (tables loaded with COPY FROM).</summary>
/// <param name="LoadedBytes">COPY text bytes of the loaded tables, as the backup recorded them.</param>
/// <param name="TotalBytes">The same for every table to load.</param>
public sealed record LogicalRestoreProgress(int TablesLoaded, int TotalTables, long LoadedBytes, long TotalBytes);

/// <summary>The outcome of a logical restore.</summary>
/// <param name="TablesVerified">Tables whose loaded COPY stream had the backup's row count and BLAKE3 and whose COPY loaded that
/// many rows (every loaded table: a mismatch fails the restore).</param>
/// <param name="TablesReadBack">Tables read back with the backup's row count and row-set digest (<see cref="LogicalRestoreOptions.ReadBack"/>).</param>
/// <param name="LoadedInParts">The table loaded over several workers at once, if one was (the largest, when loaded whole it
/// would have outlasted the other workers' share of the data).</param>
public sealed record LogicalRestoreResult(int ObjectsCreated, int TablesLoaded, long RowsLoaded, long BytesLoaded, int TablesVerified,
    int LargeObjectsLoaded, int GlobalObjectsCreated, int TablesReadBack = 0, TableLoadedInParts? LoadedInParts = null);

/// <summary>A table loaded over several connections at once, each part in a transaction of its own (logical-format.md §6).</summary>
public sealed record TableLoadedInParts(string Table, int Parts);
