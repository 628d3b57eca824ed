using System.Buffers.Binary;
using Pgark.Repository.Codecs;
using Pgark.Repository.Ids;
using static Pgark.Repository.Tests.Codecs.Blake3IncrementalTests;
using static Pgark.Repository.Tests.Codecs.Blake3TestData;

namespace Pgark.Repository.Tests.Codecs;

/// <summary>
/// An extent's id and its page hashes in one pass (spec §7.4): the id must be the standard BLAKE3 of the extent (so it is
/// built from the page chaining values correctly) and a page's hash must depend on its bytes and its place only.
/// </summary>
public sealed class Blake3PagesTests
{
    private static readonly byte[] s_key = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 1))];

    public static TheoryData<int, int> Shapes()
    {
        var shapes = new TheoryData<int, int>();
        foreach (int page in (int[])[1024, 2048, 8192, 32768])
        {
            // one page (short, one chunk, whole), two pages with every kind of short second page, many pages, more
            // pages than fit on the stack
            foreach (int length in (int[])[1, 1024, page - 1, page, page + 1, page + 1023, page + 1024, page + 1025,
                         2 * page, 3 * page + 17, 5 * page, 32 * page, 65 * page - 3])
            {
                if (length <= 4 << 20)
                    shapes.Add(page, length);
            }
        }

        return shapes;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_extent_hash_is_standard_BLAKE3_on_every_backend(int pageSize, int length)
    {
        byte[] extent = RandomInput(length, seed: length ^ pageSize);
        int pages = (length + pageSize - 1) / pageSize;
        byte[] expected = new byte[32];
        byte[] expectedKeyed = new byte[32];
        Blake3.Hash(extent, expected);
        Blake3.KeyedHash(s_key, extent, expectedKeyed);
        ulong[]? reference = null;
        foreach (Blake3Backend backend in SupportedBackends())
        {
            byte[] digest = new byte[32];
            ulong[] hashes = new ulong[pages];
            Blake3Pages.Hash(backend, extent, pageSize, Blake3Constants.IVBytes, 0, hashes, digest);
            Assert.Equal(expected, digest);
            reference ??= hashes;
            Assert.Equal(reference, hashes);
            Blake3Pages.Hash(backend, extent, pageSize, s_key, Blake3Constants.KeyedHash, new ulong[pages], digest);
            Assert.Equal(expectedKeyed, digest);
        }

        if (pages == 1)
            Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(expected), reference![0]);
    }

    [Fact]
    public void A_page_hash_depends_on_the_page_and_its_place_only()
    {
        const int page = 8192;
        byte[] first = RandomInput(32 * page, seed: 1);
        byte[] second = RandomInput(32 * page, seed: 2);
        first.AsSpan(9 * page, page).CopyTo(second.AsSpan(9 * page)); // the same page at the same place
        first.AsSpan(9 * page, page).CopyTo(second.AsSpan(10 * page)); // and again one place on
        ulong[] a = new ulong[32], b = new ulong[32];
        ChunkId idA = ChunkHasher.Unkeyed.ComputeExtent(first, page, a);
        ChunkId idB = ChunkHasher.Unkeyed.ComputeExtent(second, page, b);

        Assert.NotEqual(idA, idB);
        Assert.Equal(a[9], b[9]);
        Assert.NotEqual(b[9], b[10]);
        Assert.Equal(1, a.Zip(b).Count(x => x.First == x.Second));
        // The same page in a shorter extent (a file's last extent) at the same place: still the same hash.
        ulong[] shorter = new ulong[32];
        ChunkHasher.Unkeyed.ComputeExtent(first.AsSpan(0, 12 * page), page, shorter);
        Assert.Equal(a[..12], shorter[..12]);
    }

    [Fact]
    public void Hashes_of_part_of_an_extent_equal_those_of_the_whole()
    {
        const int page = 8192;
        byte[] extent = RandomInput(32 * page, seed: 3);
        var hasher = ChunkHasher.FromMasterKey(s_key);
        ulong[] whole = new ulong[32], part = new ulong[32];
        hasher.ComputeExtent(extent, page, whole);
        hasher.PageHashes(extent.AsSpan(5 * page, 21 * page), page, 5, 32, part);
        Assert.Equal(whole[5..26], part[..21]);
        Assert.NotEqual(whole, ChunkHasherPageHashes(ChunkHasher.Unkeyed, extent, page));

        // A one-page extent: its page hash is the first 8 bytes of its id.
        ulong[] single = new ulong[1];
        ChunkId id = hasher.ComputeExtent(extent.AsSpan(0, page), page, single);
        hasher.PageHashes(extent.AsSpan(0, page), page, 0, 1, part);
        Assert.Equal(single[0], part[0]);
        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(Convert.FromHexString(id.ToString())), single[0]);
    }

    [Fact]
    public void Page_hashes_are_pinned()
    {
        // A persisted format (tree records of type PagedExtents): these values must never change. Any change to the
        // definition (which bytes of the chaining value, the chunk counters, the flags) changes them.
        byte[] extent = PatternInput(3 * 8192 + 100);
        ulong[] hashes = new ulong[4];
        ChunkId id = ChunkHasher.Unkeyed.ComputeExtent(extent, 8192, hashes);
        byte[] expected = new byte[32];
        Blake3.Hash(extent, expected);
        Assert.Equal(Convert.ToHexStringLower(expected), id.ToString());
        Assert.Equal(["a65c6ea7f45ce198", "3ff6ce8a3f6e5ea7", "38bb3692861a7db0", "a0d128cd864c3b71"], hashes.Select(h => h.ToString("x16")));
    }

    [Fact]
    public void A_page_smaller_than_a_BLAKE3_chunk_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkHasher.Unkeyed.ComputeExtent(new byte[4096], 512, new ulong[8]));
    }

    private static ulong[] ChunkHasherPageHashes(ChunkHasher hasher, byte[] extent, int page)
    {
        ulong[] hashes = new ulong[extent.Length / page];
        hasher.ComputeExtent(extent, page, hashes);
        return hashes;
    }
}
