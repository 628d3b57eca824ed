namespace Pgark.Wire.Replication;

/// <summary>What <see cref="BaseBackupStream.ReadAsync"/> found.</summary>
public enum BaseBackupMessageKind
{
    /// <summary>A new tar archive begins: <see cref="BaseBackupStream.Archive"/> names it and its tablespace.</summary>
    ArchiveStarted,
    /// <summary>Bytes of the current archive: <see cref="BaseBackupStream.Data"/>, valid until the next read.</summary>
    ArchiveData,
    /// <summary>The server's count of bytes sent so far (PostgreSQL 15+ with PROGRESS): <see cref="BaseBackupStream.ProgressBytes"/>.</summary>
    Progress,
    /// <summary>The archives are done; backup_manifest follows as <see cref="ManifestData"/>.</summary>
    ManifestStarted,
    /// <summary>Bytes of backup_manifest: <see cref="BaseBackupStream.Data"/>, valid until the next read.</summary>
    ManifestData,
    /// <summary>The backup is over: <see cref="BaseBackupStream.EndLsn"/> and <see cref="BaseBackupStream.EndTimeline"/> are set.</summary>
    End,
}

/// <summary>One row of BASE_BACKUP's tablespace result set; <paramref name="Oid"/> null is the main data directory.</summary>
/// <param name="Size">Estimated kilobytes (PROGRESS), else null.</param>
public sealed record BaseBackupTablespace(uint? Oid, string? Location, long? Size);

/// <summary>A tar archive of the backup: "base.tar" for the data directory, "&lt;oid&gt;.tar" for a tablespace.</summary>
public sealed record BaseBackupArchive(string Name, string? TablespaceLocation, uint? TablespaceOid);
