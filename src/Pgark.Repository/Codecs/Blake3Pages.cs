using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// BLAKE3 of a paged extent and one hash per page in a single pass (spec §7.4). A page is a power of two of 1 KiB chunks
/// and starts at a multiple of its size, so in an extent of several pages each page is a subtree of the extent's BLAKE3
/// tree (a short last page is the rightmost subtree): its chaining value is the page's hash, and merging the pages'
/// chaining values as the tree does gives the extent's standard BLAKE3. Hashing pages and extent separately hashed every
/// byte twice: the second pass was 0.3 of the 2.2 user CPU-s of a full backup of pgbench scale 50.
/// </summary>
internal static class Blake3Pages
{
    /// <summary>Pages whose chaining values fit on the stack; larger extents rent them.</summary>
    private const int StackPages = 64;

    /// <summary>Chunks whose chaining values (two levels) fit on the stack: a 256 KiB extent's; larger ones rent them.</summary>
    private const int StackChunks = 256;

    /// <summary>
    /// Writes the BLAKE3 (with <paramref name="key"/> and <paramref name="flags"/>: the IV and 0 for the plain hash) of
    /// <paramref name="extent"/> to <paramref name="digest"/> and each page's hash to <paramref name="pageHashes"/>: the first
    /// 8 bytes, little-endian, of the page's subtree chaining value; of the root output when the extent is one page.
    /// </summary>
    public static void Hash(
        Blake3Backend backend, ReadOnlySpan<byte> extent, int pageSize, ReadOnlySpan<byte> key, uint flags,
        Span<ulong> pageHashes, Span<byte> digest)
    {
        if (pageSize < ChunkLength || !BitOperations.IsPow2(pageSize))
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "a page must be a power of two of at least 1 KiB");
        int pages = (int)(((long)extent.Length + pageSize - 1) / pageSize);
        if (pageHashes.Length < pages)
            throw new ArgumentException($"{pages} pages need as many hashes, got room for {pageHashes.Length}", nameof(pageHashes));
        if (pages <= 1)
        {
            // The page is the whole input: its subtree is the root.
            Blake3.HashCore(backend, extent, key, flags, digest);
            if (pages == 1)
                pageHashes[0] = BinaryPrimitives.ReadUInt64LittleEndian(digest);
            return;
        }

        // The pages' chaining values, then their parents (half as many) while they are merged down to the root.
        byte[]? rented = null;
        Span<byte> levels = pages <= StackPages
            ? stackalloc byte[2 * StackPages * CvLength]
            : (rented = ArrayPool<byte>.Shared.Rent(2 * pages * CvLength));
        try
        {
            Span<byte> cvs = levels[..(pages * CvLength)];
            ChainingValues(backend, extent, pageSize, 0, key, flags, cvs, pageHashes);
            // Pages are whole powers of two of chunks, so BLAKE3's tree over the extent is, above them, the tree over the
            // pages: merged level by level as over any run of equal subtrees.
            Span<byte> block = stackalloc byte[BlockLength];
            Blake3Tree.ReduceToParentBlock(backend, cvs, pages, key, flags, levels[(pages * CvLength)..], block);
            Blake3Output.ForParent(key, block, flags).RootBytes(0, digest);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The subtree chaining values (into <paramref name="cvs"/>, 32 bytes each) and hashes of consecutive pages that start
    /// at page <paramref name="firstPage"/> of an extent of more than one page; the pages before and after them are not
    /// needed. <see cref="Hash"/> uses it for a whole extent, sampling code for part of one.
    /// </summary>
    [SkipLocalsInit] // the level buffers are written before they are read
    public static void ChainingValues(
        Blake3Backend backend, ReadOnlySpan<byte> pages, int pageSize, ulong firstPage, ReadOnlySpan<byte> key, uint flags,
        Span<byte> cvs, Span<ulong> pageHashes)
    {
        int chunksPerPage = pageSize / ChunkLength;
        int wholePages = pages.Length / pageSize;
        if (wholePages > 0)
        {
            // All the whole pages' chunks at once, then their parents level by level across pages, so every compression
            // batch fills the vector lanes (page by page, the upper levels ran two lanes or one); a level's parents never
            // pair chunks of two pages, because pages are aligned powers of two of chunks.
            int chunks = wholePages * chunksPerPage;
            byte[]? rented = null;
            Span<byte> levels = chunks <= StackChunks
                ? stackalloc byte[2 * StackChunks * CvLength]
                : (rented = ArrayPool<byte>.Shared.Rent(2 * chunks * CvLength));
            try
            {
                Span<byte> children = levels[..(chunks * CvLength)];
                Span<byte> parents = levels.Slice(chunks * CvLength, chunks * CvLength);
                Blake3HashMany.Run(backend, pages, chunks, ChunkLength, BlocksPerChunk, key, firstPage * (ulong)chunksPerPage,
                    incrementCounter: true, flags, ChunkStart, ChunkEnd, children);
                for (int count = chunks; count > wholePages; count /= 2)
                {
                    Blake3Tree.CompressParents(backend, children[..(count * CvLength)], key, flags, parents);
                    Span<byte> swap = children;
                    children = parents;
                    parents = swap;
                }

                children[..(wholePages * CvLength)].CopyTo(cvs);
            }
            finally
            {
                if (rented is not null)
                    ArrayPool<byte>.Shared.Return(rented);
            }

            for (int page = 0; page < wholePages; page++)
                pageHashes[page] = BinaryPrimitives.ReadUInt64LittleEndian(cvs[(page * CvLength)..]);
        }

        ReadOnlySpan<byte> last = pages[(wholePages * pageSize)..];
        if (last.IsEmpty)
            return;

        // A short last page: the rightmost subtree, of fewer chunks than a page.
        Span<byte> cv = cvs.Slice(wholePages * CvLength, CvLength);
        ulong firstChunk = (firstPage + (ulong)wholePages) * (ulong)chunksPerPage;
        if (last.Length > ChunkLength)
        {
            Span<byte> block = stackalloc byte[BlockLength];
            Blake3Tree.CompressToParentBlock(backend, last, key, firstChunk, flags, block);
            Blake3Output.ForParent(key, block, flags).ChainingValue(cv);
        }
        else
        {
            var chunk = new Blake3ChunkState(key, firstChunk, flags);
            chunk.Update(last);
            chunk.Output().ChainingValue(cv);
        }

        pageHashes[wholePages] = BinaryPrimitives.ReadUInt64LittleEndian(cv);
    }
}
