namespace Pgark.Physical.Restore;

/// <summary>Where and how a physical snapshot is restored.</summary>
public sealed record PhysicalRestoreOptions
{
    /// <summary>The data directory to create (or, with <see cref="Force"/>, to empty and reuse).</summary>
    public required string TargetDirectory { get; init; }

    /// <summary>Delete what the target holds instead of refusing a non-empty target.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// Restore over an existing data directory (a crashed or diverged primary): files whose size and SHA-256 already match
    /// backup_manifest are kept, others rewritten, and whatever the backup does not have is removed. The target must look
    /// like a data directory (PG_VERSION) and hold no postmaster.pid.
    /// </summary>
    public bool Delta { get; init; }

    /// <summary>Tablespace relocation: old location → new location (like pg_basebackup --tablespace-mapping).</summary>
    public IReadOnlyDictionary<string, string> TablespaceMapping { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Restore drills: a file whose stored data fails verification is written with its unreadable extents or chunks as
    /// zeros (its size kept), listed in <see cref="PhysicalRestoreResult.Damaged"/> and not checked against the manifest,
    /// and the restore goes on, so every damaged file is found in one pass. Never for a restore meant to be used.
    /// </summary>
    public bool ContinueOnDamage { get; init; }

    /// <summary>
    /// Regular files written at once. Each also reads <see cref="Repository.RepositoryOptions.RestoreReadAhead"/> pieces
    /// ahead, so restore memory is at most ParallelFiles × RestoreReadAhead pieces.
    /// </summary>
    public int ParallelFiles { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Receives <see cref="PhysicalRestoreProgress"/> as files are written: at most once per written MiB, and once at the
    /// end (before the manifest check and fsyncs). Called from the writing tasks, one report at a time.
    /// </summary>
    public IProgress<PhysicalRestoreProgress>? Progress { get; init; }
}

/// <summary>What a restore wrote and verified.</summary>
public sealed record PhysicalRestoreResult(long Files, long Bytes, int ManifestFilesVerified, int WalSegments, TimeSpan Duration,
    long FilesKept = 0, long Removed = 0)
{
    /// <summary>Files restored with damage (only with <see cref="PhysicalRestoreOptions.ContinueOnDamage"/>), in path order.</summary>
    public IReadOnlyList<DamagedFile> Damaged { get; init; } = [];

    /// <summary>standby.signal / recovery.signal the snapshot holds (a backup of a standby) and restore left out.</summary>
    public IReadOnlyList<string> SignalFilesLeftOut { get; init; } = [];
}

/// <summary>A file whose stored data failed verification: its snapshot path and the first failure's message.</summary>
public sealed record DamagedFile(string Path, string Problem);

/// <summary>A restore that cannot proceed or whose result does not match the backup's manifest.</summary>
public sealed class PhysicalRestoreException(string message, string hint, bool isVerificationFailure = true) : Exception(message)
{
    public string Hint { get; } = hint;

    /// <summary>True when restored data did not match the backup (a check failure); false when the restore could not start.</summary>
    public bool IsVerificationFailure { get; } = isVerificationFailure;
}
