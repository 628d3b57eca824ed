using System.Buffers.Binary;
using Pgark.Repository.Codecs;
using Pgark.Repository.Format;

namespace Pgark.Repository.Ids;

/// <summary>
/// The repository's chunk id function (spec §5.1): BLAKE3-256, keyed with the chunk-id key in encrypted repositories
/// so ids do not confirm guessed content. Also gives page hashes (§7.4) and file ids (always unkeyed, §1).
/// </summary>
public sealed class ChunkHasher
{
    private readonly byte[]? _key;

    private ChunkHasher(byte[]? key) => _key = key;

    public static ChunkHasher Unkeyed { get; } = new(null);

    /// <summary>The keyed function of an encrypted repository, derived from its master key.</summary>
    public static ChunkHasher FromMasterKey(ReadOnlySpan<byte> masterKey)
    {
        var key = new byte[Blake3.KeySize];
        Blake3.DeriveKey(FormatConstants.ChunkIdKeyContext, masterKey, key);
        return new ChunkHasher(key);
    }

    public bool IsKeyed => _key is not null;

    public ChunkId Compute(ReadOnlySpan<byte> plaintext)
    {
        Span<byte> digest = stackalloc byte[ChunkId.Size];
        Hash(plaintext, digest);
        return new ChunkId(digest);
    }

    /// <summary>
    /// An incremental form of <see cref="Compute"/> (same key): for content that arrives in parts and is never held whole,
    /// such as a WAL segment compressed frame by frame.
    /// </summary>
    public Blake3Hasher CreateIncremental() => _key is null ? new Blake3Hasher() : Blake3Hasher.CreateKeyed(_key);

    /// <summary>First 8 bytes of the chunk id of a page, read little-endian (spec §7.4).</summary>
    public ulong PageHash(ReadOnlySpan<byte> page)
    {
        Span<byte> digest = stackalloc byte[ChunkId.Size];
        Hash(page, digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    /// <summary>First 4 bytes of the chunk id as u32 LE: drives tree cuts (spec §7.2).</summary>
    public uint CutHash(ReadOnlySpan<byte> record)
    {
        Span<byte> digest = stackalloc byte[ChunkId.Size];
        Hash(record, digest);
        return BinaryPrimitives.ReadUInt32LittleEndian(digest);
    }

    /// <summary>The file id: unkeyed BLAKE3-256 of a file's stored bytes.</summary>
    public static ChunkId FileId(ReadOnlySpan<byte> fileBytes)
    {
        Span<byte> digest = stackalloc byte[ChunkId.Size];
        Blake3.Hash(fileBytes, digest);
        return new ChunkId(digest);
    }

    private void Hash(ReadOnlySpan<byte> input, Span<byte> digest)
    {
        if (_key is null)
            Blake3.Hash(input, digest);
        else
            Blake3.KeyedHash(_key, input, digest);
    }
}
