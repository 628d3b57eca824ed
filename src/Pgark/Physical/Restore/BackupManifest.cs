using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pgark.Physical.Restore;

/// <summary>
/// PostgreSQL's backup_manifest (format version 1 or 2, JSON): the files of the backup with size and checksum, and the
/// manifest's own SHA-256 over every byte up to and including the newline before its "Manifest-Checksum" line. pgark
/// verifies a restore against it itself (the rules of pg_verifybackup, not its code).
/// </summary>
internal sealed class BackupManifest
{
    private BackupManifest(Dictionary<string, ManifestFile> files) => Files = files;

    public IReadOnlyDictionary<string, ManifestFile> Files { get; }

    public sealed record ManifestFile(string Path, long Size, string? Algorithm, string? Checksum);

    /// <summary>Parses and checks the manifest's own checksum; throws InvalidDataException naming what is wrong.</summary>
    public static BackupManifest Parse(byte[] bytes)
    {
        VerifyOwnChecksum(bytes);
        using JsonDocument json = JsonDocument.Parse(bytes);
        var files = new Dictionary<string, ManifestFile>(StringComparer.Ordinal);
        foreach (JsonElement file in json.RootElement.GetProperty("Files").EnumerateArray())
        {
            string path = file.TryGetProperty("Path", out JsonElement plain)
                ? plain.GetString()!
                : Encoding.UTF8.GetString(Convert.FromHexString(file.GetProperty("Encoded-Path").GetString()!));
            string? algorithm = file.TryGetProperty("Checksum-Algorithm", out JsonElement a) ? a.GetString() : null;
            string? checksum = file.TryGetProperty("Checksum", out JsonElement c) ? c.GetString() : null;
            files[path] = new ManifestFile(path, file.GetProperty("Size").GetInt64(), algorithm, checksum);
        }
        return new BackupManifest(files);
    }

    private static void VerifyOwnChecksum(byte[] bytes)
    {
        ReadOnlySpan<byte> marker = "\n\"Manifest-Checksum\": \""u8;
        int at = bytes.AsSpan().LastIndexOf(marker);
        if (at < 0)
            throw new InvalidDataException("backup_manifest has no Manifest-Checksum line; it is truncated or not a PostgreSQL manifest");
        int start = at + marker.Length;
        int end = Array.IndexOf(bytes, (byte)'"', start);
        if (end < 0)
            throw new InvalidDataException("backup_manifest's Manifest-Checksum is not terminated");
        string stored = Encoding.ASCII.GetString(bytes, start, end - start);
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, at + 1)));
        if (!string.Equals(stored, actual, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"backup_manifest's own checksum is {stored} but its content hashes to {actual}; the manifest is damaged");
    }
}
