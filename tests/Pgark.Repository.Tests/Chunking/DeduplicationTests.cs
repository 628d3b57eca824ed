using Pgark.Repository.Chunking;

namespace Pgark.Repository.Tests.Chunking;

public sealed class DeduplicationTests
{
    [Theory]
    [InlineData(5, 8_000_000)]
    [InlineData(3, 8_388_608)]
    [InlineData(64, 1_234_567)]
    public void Insertion_in_a_16_MiB_stream_changes_only_nearby_chunks(int insertedLength, int insertAt)
    {
        byte[] original = ChunkingTestData.SplitMix64Bytes(16 << 20, seed: 21);
        byte[] edited = [.. original.AsSpan(0, insertAt), .. ChunkingTestData.SplitMix64Bytes(insertedLength, 99), .. original.AsSpan(insertAt)];
        var chunker = new FastCdc(FastCdcOptions.Default);

        List<byte[]> before = Chunks(chunker, original);
        List<byte[]> after = Chunks(chunker, edited);

        var known = new HashSet<string>(before.Select(Convert.ToHexString));
        List<byte[]> changed = after.Where(chunk => !known.Contains(Convert.ToHexString(chunk))).ToList();
        Assert.InRange(changed.Count, 1, 3);
        Assert.InRange(after.Count - changed.Count, before.Count - 3, before.Count);

        // The changed chunks are contiguous and cover the insertion point.
        int firstChanged = after.FindIndex(chunk => !known.Contains(Convert.ToHexString(chunk)));
        long changedStart = after.Take(firstChanged).Sum(chunk => (long)chunk.Length);
        long changedEnd = changedStart + changed.Sum(chunk => (long)chunk.Length);
        Assert.InRange(insertAt, changedStart, changedEnd);
    }

    private static List<byte[]> Chunks(FastCdc chunker, byte[] data)
    {
        var chunks = new List<byte[]>();
        int previous = 0;
        foreach (int offset in ChunkingTestData.CutOffsets(chunker, data))
        {
            chunks.Add(data[previous..offset]);
            previous = offset;
        }

        return chunks;
    }
}
