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

    /// <summary>
    /// The chunk id of a paged extent, with the hash of each of its pages written to <paramref name="pageHashes"/> in the
    /// same pass (spec §7.4: the page's BLAKE3 subtree chaining value at its place in the extent, first 8 bytes as u64 LE).
    /// </summary>
    public ChunkId ComputeExtent(ReadOnlySpan<byte> extent, int pageSize, Span<ulong> pageHashes)
    {
        Span<byte> digest = stackalloc byte[ChunkId.Size];
        Blake3Pages.Hash(Blake3Backends.Best, extent, pageSize, Key, Flags, pageHashes, digest);
        return new ChunkId(digest);
    }

    /// <summary>
    /// The page hashes <see cref="ComputeExtent"/> gives for the pages <paramref name="pages"/> holds, which start at page
    /// <paramref name="firstPage"/> of an extent of <paramref name="extentPages"/> pages, without the rest of the extent:
    /// for sampling, which holds windows of files rather than whole extents.
    /// </summary>
    public void PageHashes(ReadOnlySpan<byte> pages, int pageSize, int firstPage, int extentPages, Span<ulong> pageHashes)
    {
        if (extentPages == 1)
        {
            if (pages.Length > pageSize)
                throw new ArgumentException("an extent of one page has one page hash", nameof(pages));
            // A one-page extent's page hash is its id's (spec §7.4).
            Span<byte> digest = stackalloc byte[ChunkId.Size];
            Hash(pages, digest);
            pageHashes[0] = BinaryPrimitives.ReadUInt64LittleEndian(digest);
            return;
        }
        var count = (pages.Length + pageSize - 1) / pageSize;
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(count * Blake3Constants.CvLength);
        try
        {
            Blake3Pages.ChainingValues(Blake3Backends.Best, pages, pageSize, (ulong)firstPage, Key, Flags, rented, pageHashes);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The page hashes of tree records of type <c>Extents</c> (3), which repositories written before <c>PagedExtents</c> (4)
    /// hold: for each page, the first 8 bytes of the chunk id of the page alone, read little-endian (spec §7.4). Only for
    /// checking and comparing them.
    /// </summary>
    public void ContentPageHashes(ReadOnlySpan<byte> pages, int pageSize, Span<ulong> pageHashes)
    {
        for (var page = 0; page * pageSize < pages.Length; page++)
            pageHashes[page] = ContentPageHash(pages.Slice(page * pageSize, Math.Min(pageSize, pages.Length - page * pageSize)));
    }

    private ulong ContentPageHash(ReadOnlySpan<byte> page)
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

    /// <summary>BLAKE3's key and flags for this function: the chunk-id key with KEYED_HASH, or the IV and none.</summary>
    private ReadOnlySpan<byte> Key => _key ?? Blake3Constants.IVBytes;

    private uint Flags => _key is null ? 0 : Blake3Constants.KeyedHash;

    private void Hash(ReadOnlySpan<byte> input, Span<byte> digest)
    {
        if (_key is null)
            Blake3.Hash(input, digest);
        else
            Blake3.KeyedHash(_key, input, digest);
    }
}
