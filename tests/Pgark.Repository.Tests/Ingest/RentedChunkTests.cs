using System.Buffers;
using Pgark.Repository.Crypto;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;
using Xunit;

namespace Pgark.Repository.Tests.Ingest;

/// <summary>The ingest workers' encoding into rented buffers: the same stored bytes as Encode, and every buffer back exactly once.</summary>
public sealed class RentedChunkTests
{
    public static TheoryData<string> Inputs => ["text", "random", "empty"];

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Rented_encoding_stores_what_Encode_stores_and_packs_the_same_entry(string input)
    {
        var plain = Plaintext(input);
        var codec = new StoredChunkCodec(3, null);
        var id = ChunkHasher.Unkeyed.Compute(plain);
        var pool = new CountingPool();
        var expected = PackWriter.Encode(codec, ChunkHasher.Unkeyed, id, ChunkKind.Data, plain);

        var rented = PackWriter.EncodeRented(codec, id, ChunkKind.Data, plain, pool);

        Assert.Equal(expected.Stored, rented.Stored.ToArray());
        Assert.Equal(expected.Flags, rented.Flags);
        Assert.Equal(input == "text" ? ChunkFlags.Compressed : ChunkFlags.None, rented.Flags);
        var viaEncoded = new PackWriter(codec, ChunkHasher.Unkeyed);
        var viaRented = new PackWriter(codec, ChunkHasher.Unkeyed);
        viaEncoded.Append(expected);
        viaRented.Append(rented);
        Assert.Equal(viaEncoded.Entries, viaRented.Entries);
        Assert.Equal(viaEncoded.Finish().Bytes, viaRented.Finish().Bytes);
        Assert.Equal(1, pool.Outstanding);
        rented.Release();
        rented.Release();
        Assert.Equal(0, pool.Outstanding);
        Assert.Throws<ObjectDisposedException>(() => rented.Stored.Length);
    }

    [Fact]
    public void Verifying_a_raw_chunk_compares_it_in_place_and_still_sees_a_changed_byte()
    {
        var codec = new StoredChunkCodec(3, null);
        var plain = Plaintext("random"); // incompressible: stored raw
        var stored = plain.ToArray();
        Assert.True(codec.DecodesTo(stored, ChunkFlags.None, plain, default));
        // Compared in place: not a copy of the chunk per verification (it was one large-object array each).
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            Assert.True(codec.DecodesTo(stored, ChunkFlags.None, plain, default));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < plain.Length, "verifying a raw chunk allocated a copy of it");
        stored[stored.Length / 2] ^= 0x01;
        Assert.False(codec.DecodesTo(stored, ChunkFlags.None, plain, default));
    }

    [Fact]
    public void A_sealed_chunk_is_not_rented_and_opens_to_the_plaintext()
    {
        var box = SealedBox.FromMasterKey(new byte[32]);
        var codec = new StoredChunkCodec(3, box);
        var plain = Plaintext("text");
        var id = ChunkHasher.Unkeyed.Compute(plain);
        var pool = new CountingPool();

        var rented = PackWriter.EncodeRented(codec, id, ChunkKind.Data, plain, pool);

        Assert.Null(rented.Pool);
        Assert.Equal(0, pool.Outstanding);
        Span<byte> aad = stackalloc byte[ChunkId.Size];
        id.WriteTo(aad);
        Assert.Equal(plain, codec.Decode(rented.Stored, rented.Flags, (uint)plain.Length, aad));
        rented.Release();
    }

    private static byte[] Plaintext(string kind)
    {
        if (kind == "empty")
            return [];
        if (kind == "random")
        {
            var bytes = new byte[100_000];
            new Random(7).NextBytes(bytes);
            return bytes;
        }
        return System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i % 97} of the log\n")));
    }

    /// <summary>Counts arrays rented and not yet returned; a second return of one array fails the test.</summary>
    private sealed class CountingPool : ArrayPool<byte>
    {
        private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);

        public int Outstanding => _out.Count;

        public override byte[] Rent(int minimumLength)
        {
            var array = new byte[minimumLength + 13];
            _out.Add(array);
            return array;
        }

        public override void Return(byte[] array, bool clearArray = false) => Assert.True(_out.Remove(array), "returned twice or never rented");
    }
}
