using System.Buffers.Binary;
using System.Security.Cryptography;
using Pgark.Wal.Reader;

namespace Pgark.Physical.Restore;

/// <summary>
/// A file's checksum as backup_manifest records it ("Checksum-Algorithm" and the hex "Checksum"), computed over the bytes
/// as they are restored. pgark asks the server for CRC32C (PostgreSQL's default: the chunks are already proven by their
/// BLAKE3 ids, so this end-to-end check against the server's own view need not be cryptographic, and CRC32C costs a
/// tenth of SHA-256); backups taken before asked for SHA-256, and both are verified. SHA-384 and SHA-512 are checked
/// too; SHA-224, which .NET lacks, is refused rather than silently skipped.
/// </summary>
internal abstract class ManifestFileChecksum : IDisposable
{
    /// <summary>The checksum for a manifest's algorithm name; null for NONE (size only).</summary>
    public static ManifestFileChecksum? For(string? algorithm) => algorithm?.ToUpperInvariant() switch
    {
        null or "NONE" => null,
        "CRC32C" => new Crc32C(),
        "SHA256" => new Sha2(HashAlgorithmName.SHA256, "SHA-256"),
        "SHA384" => new Sha2(HashAlgorithmName.SHA384, "SHA-384"),
        "SHA512" => new Sha2(HashAlgorithmName.SHA512, "SHA-512"),
        _ => throw new PhysicalRestoreException($"backup_manifest uses checksum algorithm {algorithm}, which pgark cannot verify",
            "pgark's backups ask for CRC32C (or, earlier, SHA256); this manifest was not written for a pgark backup or is damaged"),
    };

    /// <summary>The algorithm as an error message names it.</summary>
    public abstract string Name { get; }

    public abstract void Append(ReadOnlySpan<byte> data);

    /// <summary>The checksum in lower-case hex, as the manifest writes it. Call once, after the last <see cref="Append"/>.</summary>
    public abstract string Hex();

    /// <summary>Whether the bytes appended hash to <paramref name="listed"/>. Call once, after the last <see cref="Append"/>.</summary>
    public virtual bool Matches(string listed, out string actual)
    {
        actual = Hex();
        return string.Equals(actual, listed, StringComparison.OrdinalIgnoreCase);
    }

    public virtual void Dispose()
    {
    }

    private sealed class Sha2(HashAlgorithmName algorithm, string name) : ManifestFileChecksum
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(algorithm);

        public override string Name => name;

        public override void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

        public override string Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public override void Dispose() => _hash.Dispose();
    }

    /// <summary>
    /// pg_crc32c (Castagnoli, reflected, as WAL records use it). The server writes the final CRC's four bytes as they lie
    /// in its memory, so the hex is little-endian from a little-endian server; a big-endian server's order is accepted too.
    /// </summary>
    private sealed class Crc32C : ManifestFileChecksum
    {
        private uint _crc = WalCrc32C.Init;

        public override string Name => "CRC32C";

        public override void Append(ReadOnlySpan<byte> data) => _crc = WalCrc32C.Append(_crc, data);

        public override string Hex() => HexOf(BinaryPrimitives.ReverseEndianness(WalCrc32C.Finish(_crc)));

        public override bool Matches(string listed, out string actual)
        {
            uint crc = WalCrc32C.Finish(_crc);
            actual = HexOf(BinaryPrimitives.ReverseEndianness(crc));
            return string.Equals(actual, listed, StringComparison.OrdinalIgnoreCase)
                || string.Equals(HexOf(crc), listed, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The hex of <paramref name="value"/>'s bytes most significant first.</summary>
        private static string HexOf(uint value) => value.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }
}
