using Pgark.Wire.Replication;

namespace Pgark.Physical;

/// <summary>What a physical backup asks of the server.</summary>
public sealed record PhysicalBackupOptions
{
    /// <summary>The backup label (backup_label, snapshot label).</summary>
    public string Label { get; init; } = "pgark";
    public BaseBackupCheckpoint Checkpoint { get; init; } = BaseBackupCheckpoint.Fast;
    /// <summary>MAX_RATE in kB/s; null for unlimited.</summary>
    public int? MaxRateKilobytesPerSecond { get; init; }
    /// <summary>Ask the server to verify page checksums while reading (it fails the backup with XX001 on a bad page).</summary>
    public bool VerifyChecksums { get; init; } = true;
    /// <summary>Where the streamed WAL is spooled until the backup ends (one directory per backup is created inside).</summary>
    public string SpoolDirectory { get; init; } = Path.GetTempPath();
    /// <summary>Store page deltas against the newest snapshot of the same system (a full read, incremental store).</summary>
    public bool UseParent { get; init; } = true;
    /// <summary>
    /// Record every table's exact row count for restore drills (spec/physical.md, "row_counts"): needs wal_level=logical
    /// on a primary and a role that may replicate, else nothing is recorded. Counting reads every table of the
    /// database in the connection string once; turn it off for very large databases.
    /// </summary>
    public bool CountRows { get; init; } = true;
    /// <summary>Receives <see cref="PhysicalBackupProgress"/> while the files stream (at most once per MiB, and once at the end).</summary>
    public IProgress<PhysicalBackupProgress>? Progress { get; init; }
}

/// <summary>What a physical backup did.</summary>
public sealed record PhysicalBackupResult(
    Repository.Snapshots.SnapshotInfo Snapshot,
    long Files,
    long ReceivedBytes,
    long WalBytes,
    long StoredBytes,
    long StoredChunks,
    long DeduplicatedChunks,
    TimeSpan Duration)
{
    /// <summary>The row counts recorded with the snapshot, or null when none were (see <see cref="PhysicalBackupOptions.CountRows"/>).</summary>
    public RowCounts.RowCountDocument? RowCounts { get; init; }

    /// <summary>Why no row counts were recorded (null when they were).</summary>
    public string? RowCountsSkipped { get; init; }

    /// <summary>Where the time went, step by step (spec/physical.md, "Phases").</summary>
    public IReadOnlyList<PhysicalBackupPhase> Phases { get; init; } = [];

    /// <summary>
    /// How much of the "stream archives" phase was spent waiting for the server's next message: near the whole phase, the
    /// server (or the network, or a CPU it shares with pgark) sets the pace; far below it, pgark's own work does.
    /// </summary>
    public TimeSpan ServerWait { get; init; }
}
