using System.Buffers.Binary;
using Pgark.Repository.Codecs;
using Pgark.Repository.Format;

namespace Pgark.Repository.Config;

/// <summary>
/// The 64-byte plaintext config file (spec §4): 0 "PGARKCFG", 8 FormatVersion u16, 10 ConfigFlags u16, 12 RepositoryId (16),
/// 28 ChunkIdAlgorithm, 29 CompressionAlgorithm, 30 reserved u16, 32 BLAKE3-256 of bytes 0..31.
/// </summary>
public sealed record RepositoryConfig(int FormatVersion, bool Encrypted, byte[] RepositoryId)
{
    public const string FileName = "config";
    public const int Size = 64;

    public string RepositoryIdHex => Convert.ToHexStringLower(RepositoryId);

    public byte[] Encode()
    {
        var bytes = new byte[Size];
        FormatConstants.ConfigMagic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(10), (ushort)(Encrypted ? ConfigFlags.Encrypted : ConfigFlags.None));
        RepositoryId.CopyTo(bytes.AsSpan(12, 16));
        bytes[28] = (byte)ChunkIdAlgorithm.Blake3;
        bytes[29] = (byte)CompressionAlgorithm.Zstd;
        Blake3.Hash(bytes.AsSpan(0, 32), bytes.AsSpan(32, 32));
        return bytes;
    }

    /// <summary>Parses config; damage is <see cref="RepositoryCorruptionException"/>, an unknown version <see cref="RepositoryFormatVersionException"/>.</summary>
    public static RepositoryConfig Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size || !bytes[..8].SequenceEqual(FormatConstants.ConfigMagic))
            throw Damaged($"expected {Size} bytes starting with 'PGARKCFG', found {bytes.Length} bytes");
        Span<byte> checksum = stackalloc byte[32];
        Blake3.Hash(bytes[..32], checksum);
        if (!checksum.SequenceEqual(bytes[32..]))
            throw Damaged("checksum does not match");
        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
        if (version != FormatConstants.FormatVersion)
            throw new RepositoryFormatVersionException(FileName, version, FormatConstants.FormatVersion);
        var flags = (ConfigFlags)BinaryPrimitives.ReadUInt16LittleEndian(bytes[10..]);
        if ((flags & ~ConfigFlags.Encrypted) != 0 || bytes[28] != (byte)ChunkIdAlgorithm.Blake3
            || bytes[29] != (byte)CompressionAlgorithm.Zstd || bytes[30] != 0 || bytes[31] != 0)
            throw Damaged("unknown flags or algorithms");
        return new RepositoryConfig(version, (flags & ConfigFlags.Encrypted) != 0, bytes.Slice(12, 16).ToArray());
    }

    private static RepositoryCorruptionException Damaged(string problem)
        => new(CorruptionCause.StorageDamage, FileName, null, problem);
}
