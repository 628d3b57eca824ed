namespace Pgark.Wire.Replication;

/// <summary>How BASE_BACKUP's starting checkpoint is taken.</summary>
public enum BaseBackupCheckpoint
{
    /// <summary>CHECKPOINT 'fast' (legacy FAST): an immediate checkpoint, so the backup starts at once.</summary>
    Fast,
    /// <summary>CHECKPOINT 'spread': wait for a checkpoint paced by checkpoint_completion_target.</summary>
    Spread,
}

/// <summary>Checksum the server writes per file into backup_manifest.</summary>
public enum ManifestChecksum
{
    Sha256,
    Crc32C,
    None,
}

/// <summary>
/// Options of BASE_BACKUP, translated by <see cref="BaseBackupCommand"/> into the dialect the server speaks. WAL is
/// never requested inside the archive: pgark streams it on a second connection (like <c>pg_basebackup -X stream</c>).
/// </summary>
public sealed record BaseBackupOptions
{
    /// <summary>LABEL: written into backup_label; any text (quoted on the wire).</summary>
    public string Label { get; init; } = "pgark";
    public BaseBackupCheckpoint Checkpoint { get; init; } = BaseBackupCheckpoint.Fast;
    /// <summary>PROGRESS: the server computes sizes first and reports tablespace sizes (and 'p' messages on 15+).</summary>
    public bool Progress { get; init; } = true;
    /// <summary>MANIFEST 'yes': the server sends backup_manifest after the archives.</summary>
    public bool Manifest { get; init; } = true;
    public ManifestChecksum ManifestChecksum { get; init; } = ManifestChecksum.Sha256;
    /// <summary>TABLESPACE_MAP: pg_tblspc links arrive as directories and a tablespace_map file names their targets.</summary>
    public bool TablespaceMap { get; init; }
    /// <summary>VERIFY_CHECKSUMS: false turns off the server's data checksum verification (on by default).</summary>
    public bool VerifyChecksums { get; init; } = true;
    /// <summary>MAX_RATE in kB/s (32..1048576); null for unlimited.</summary>
    public int? MaxRateKilobytesPerSecond { get; init; }
}
