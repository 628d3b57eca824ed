namespace Pgark.Physical.Restore;

/// <summary>
/// Checks restored files against backup_manifest as they are written: size and SHA-256 must match, no listed file may be
/// missing, and nothing outside pg_wal/ may be restored that the manifest does not list. Thread-safe: files are restored
/// in parallel.
/// </summary>
internal sealed class ManifestVerifier(BackupManifest? manifest)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _verified;

    public int Verified => _verified;

    /// <summary>The SHA-256 (hex) the manifest lists for <paramref name="path"/> at <paramref name="size"/> bytes, if it lists one.</summary>
    public string? ExpectedSha256(string path, long size)
        => manifest is not null && manifest.Files.TryGetValue(path, out BackupManifest.ManifestFile? listed) && listed.Size == size
           && string.Equals(listed.Algorithm, "SHA256", StringComparison.OrdinalIgnoreCase)
            ? listed.Checksum
            : null;

    public void Check(string path, long size, byte[] sha256)
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
        if (string.Equals(listed.Algorithm, "SHA256", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(listed.Checksum, Convert.ToHexStringLower(sha256), StringComparison.OrdinalIgnoreCase))
            throw new PhysicalRestoreException($"'{path}' has SHA-256 {Convert.ToHexStringLower(sha256)} but backup_manifest lists {listed.Checksum}",
                "the snapshot is damaged; run pgark check --read-data");
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
