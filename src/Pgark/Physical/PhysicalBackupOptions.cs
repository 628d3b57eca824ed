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
    /// <summary>Where the streamed WAL is spooled until the backup ends (one directory per backup is created inside).</summary>
    public string SpoolDirectory { get; init; } = Path.GetTempPath();
    /// <summary>Store page deltas against the newest snapshot of the same system (a full read, incremental store).</summary>
    public bool UseParent { get; init; } = true;
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
    TimeSpan Duration);
