namespace Pgark.Physical.Restore;

/// <summary>
/// Checks restored files against backup_manifest as they are written: size and checksum (<see cref="ManifestFileChecksum"/>:
/// CRC32C or SHA-256, as the backup asked the server for) must match, no listed file may be missing, and nothing outside
/// pg_wal/ may be restored that the manifest does not list. Thread-safe: files are restored in parallel.
/// </summary>
internal sealed class ManifestVerifier(BackupManifest? manifest)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _verified;

    public int Verified => _verified;

    /// <summary>A fresh checksum of the algorithm the manifest lists for <paramref name="path"/>; null when it lists none.</summary>
    public ManifestFileChecksum? NewChecksum(string path)
        => manifest is not null && manifest.Files.TryGetValue(path, out BackupManifest.ManifestFile? listed) && listed.Checksum is not null
            ? ManifestFileChecksum.For(listed.Algorithm)
            : null;

    /// <summary>
    /// For a delta restore's file already on disk: true, and the file counts as verified, when its size and checksum are
    /// the ones the manifest lists; false (nothing recorded) otherwise, and when the manifest lists no checksum for it.
    /// </summary>
    public bool TryVerify(string path, long size, ManifestFileChecksum checksum)
    {
        if (manifest is null || !manifest.Files.TryGetValue(path, out BackupManifest.ManifestFile? listed) || listed.Size != size
            || listed.Checksum is null || !checksum.Matches(listed.Checksum, out _))
            return false;
        lock (_lock)
            _seen.Add(path);
        Interlocked.Increment(ref _verified);
        return true;
    }

    /// <summary>Checks a restored file; <paramref name="checksum"/> is what <see cref="NewChecksum"/> gave, fed every byte.</summary>
    public void Check(string path, long size, ManifestFileChecksum? checksum)
    {
        if (manifest is null)
            return;
        if (!manifest.Files.TryGetValue(path, out BackupManifest.ManifestFile? listed))
        {
            if (path.StartsWith("pg_wal/", StringComparison.Ordinal))
                return; // WAL streamed beside the backup is not part of the server's manifest.
            throw new PhysicalRestoreException($"'{path}' is in the snapshot but not in its backup_manifest",
                "the snapshot is damaged or was written by a faulty pgark; run pgark check --read-data");
        }
        lock (_lock)
            _seen.Add(path);
        if (listed.Size != size)
            throw new PhysicalRestoreException($"'{path}' restored to {size} bytes but backup_manifest lists {listed.Size}",
                "the snapshot is damaged; run pgark check --read-data");
        if (listed.Checksum is not null)
        {
            if (checksum is null)
                throw new InvalidOperationException($"'{path}' was restored without the checksum backup_manifest lists");
            if (!checksum.Matches(listed.Checksum, out string actual))
                throw new PhysicalRestoreException($"'{path}' has {checksum.Name} {actual} but backup_manifest lists {listed.Checksum}",
                    "the snapshot is damaged; run pgark check --read-data");
        }
        Interlocked.Increment(ref _verified);
    }

    /// <summary>A file restored with damage (zero-filled): counted as present, not verified.</summary>
    public void Skip(string path)
    {
        lock (_lock)
            _seen.Add(path); // parallel writers add under the same lock
    }

    public void CheckAllSeen()
    {
        if (manifest is null)
            return;
        string[] missing = manifest.Files.Keys.Where(p => !_seen.Contains(p)).Order(StringComparer.Ordinal).Take(5).ToArray();
        if (missing.Length > 0)
            throw new PhysicalRestoreException($"backup_manifest lists files the snapshot lacks: {string.Join(", ", missing)}",
                "the snapshot is incomplete; restore another snapshot and run pgark check");
    }
}
