using Pgark.Repository.Chunking;
using Pgark.Wire.Connection;

namespace Pgark.Logical;

/// <summary>What a logical backup reads and how hard it works.</summary>
public sealed record LogicalBackupOptions
{
    /// <summary>The database to back up (its own database name, not a maintenance one).</summary>
    public required ConnectionSettings Source { get; init; }
    /// <summary>Worker connections copying tables in parallel (1–64).</summary>
    public int Jobs { get; init; } = 1;
    /// <summary>
    /// Chunking of each table's COPY stream; one window of twice MaxSize per worker bounds memory. Null (the default) uses the
    /// repository's settings (spec §4.1).
    /// </summary>
    public FastCdcOptions? Chunking { get; init; }
    public string Label { get; init; } = "";
    /// <summary>Use a temporary logical slot when the role may replicate and wal_level is logical (records an exact LSN).</summary>
    public bool PreferReplicationSlot { get; init; } = true;
    /// <summary>Also back up the cluster's roles and tablespaces (globals.json).</summary>
    public bool Globals { get; init; }
    /// <summary>With <see cref="Globals"/>: the roles' password hashes too (needs a superuser to read pg_authid; else a warning).</summary>
    public bool RolePasswords { get; init; }
    /// <summary>
    /// Receives <see cref="LogicalBackupProgress"/> once before the tables are copied and once per table copied (the last
    /// report has every table); called from the copying tasks, one report at a time.
    /// </summary>
    public IProgress<LogicalBackupProgress>? Progress { get; init; }
}

/// <summary>How far the data step of a logical backup has got (tables copied out and stored).</summary>
/// <param name="CopiedBytes">COPY text bytes of the tables copied so far.</param>
/// <param name="EstimatedTotalBytes">The tables' on-disk size (pg_relation_size), which COPY text only approximates.</param>
public sealed record LogicalBackupProgress(int TablesCopied, int TotalTables, long CopiedBytes, long EstimatedTotalBytes);
