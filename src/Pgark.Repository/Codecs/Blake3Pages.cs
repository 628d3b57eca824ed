using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// BLAKE3 of a paged extent and one hash per page in a single pass (spec §7.4). A page is a power of two of 1 KiB chunks
/// and starts at a multiple of its size, so in an extent of several pages each page is a subtree of the extent's BLAKE3
/// tree (a short last page is the rightmost subtree): its chaining value is the page's hash, and merging the pages'
/// chaining values as the tree does gives the extent's standard BLAKE3. Hashing pages and extent separately hashed every
/// byte twice; a backup spent a fifth of its CPU there.
/// </summary>
internal static class Blake3Pages
{
    /// <summary>Pages whose chaining values fit on the stack; larger extents rent them.</summary>
    private const int StackPages = 64;

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

        byte[]? rented = null;
        Span<byte> cvs = pages <= StackPages
            ? stackalloc byte[StackPages * CvLength]
            : (rented = ArrayPool<byte>.Shared.Rent(pages * CvLength));
        try
        {
            ChainingValues(backend, extent, pageSize, 0, key, flags, cvs, pageHashes);

            // The root's children: the largest power of two of pages that leaves some to the right, and the rest (the same
            // split BLAKE3 makes in chunks, because pages are whole powers of two of chunks).
            Span<byte> block = stackalloc byte[BlockLength];
            int left = LeftPages(pages);
            Merge(cvs[..(left * CvLength)], key, flags, block[..CvLength]);
            Merge(cvs[(left * CvLength)..(pages * CvLength)], key, flags, block[CvLength..]);
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
    public static void ChainingValues(
        Blake3Backend backend, ReadOnlySpan<byte> pages, int pageSize, ulong firstPage, ReadOnlySpan<byte> key, uint flags,
        Span<byte> cvs, Span<ulong> pageHashes)
    {
        Span<byte> block = stackalloc byte[BlockLength];
        ulong chunksPerPage = (ulong)(pageSize / ChunkLength);
        for (int page = 0; page * pageSize < pages.Length; page++)
        {
            ReadOnlySpan<byte> bytes = pages.Slice(page * pageSize, Math.Min(pageSize, pages.Length - page * pageSize));
            Span<byte> cv = cvs.Slice(page * CvLength, CvLength);
            ulong firstChunk = (firstPage + (ulong)page) * chunksPerPage;
            if (bytes.Length > ChunkLength)
            {
                Blake3Tree.CompressToParentBlock(backend, bytes, key, firstChunk, flags, block);
                Blake3Output.ForParent(key, block, flags).ChainingValue(cv);
            }
            else
            {
                // Only a short last page can be a single chunk (or less).
                var chunk = new Blake3ChunkState(key, firstChunk, flags);
                chunk.Update(bytes);
                chunk.Output().ChainingValue(cv);
            }

            pageHashes[page] = BinaryPrimitives.ReadUInt64LittleEndian(cv);
        }
    }

    /// <summary>The chaining value of the subtree over consecutive pages' chaining values (not the root).</summary>
    private static void Merge(ReadOnlySpan<byte> cvs, ReadOnlySpan<byte> key, uint flags, Span<byte> cv)
    {
        int count = cvs.Length / CvLength;
        if (count == 1)
        {
            cvs.CopyTo(cv);
            return;
        }

        Span<byte> block = stackalloc byte[BlockLength];
        int left = LeftPages(count);
        Merge(cvs[..(left * CvLength)], key, flags, block[..CvLength]);
        Merge(cvs[(left * CvLength)..], key, flags, block[CvLength..]);
        Blake3Output.ForParent(key, block, flags).ChainingValue(cv);
    }

    private static int LeftPages(int pages)
    {
        Debug.Assert(pages >= 2);
        return 1 << BitOperations.Log2((uint)(pages - 1));
    }
}
