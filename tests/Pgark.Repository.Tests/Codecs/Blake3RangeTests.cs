using Pgark.Repository.Codecs;
using Pgark.Repository.Tests.Infrastructure;
using static Pgark.Repository.Tests.Codecs.Blake3IncrementalTests;
using static Pgark.Repository.Tests.Codecs.Blake3TestData;

namespace Pgark.Repository.Tests.Codecs;

/// <summary>Ranges of one input, hashed apart and joined, give exactly the one-shot BLAKE3 of the whole input.</summary>
public sealed class Blake3RangeTests
{
    private const int Chunk = 1024;

    public static TheoryData<int> WholeInputLengths() =>
        new() { 0, 1, 63, 64, 65, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 4096, 5000, 8192, 16384, 65536, 65537, 300_000 };

    public static TheoryData<int> VectorLengths()
    {
        var data = new TheoryData<int>();
        foreach (VectorCase c in Vectors.Cases)
        {
            data.Add(c.InputLength);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WholeInputLengths))]
    public void WholeInputInOneRange(int length)
    {
        byte[] input = RandomInput(length, seed: length);
        AssertJoinedEqualsOneShot(input, [], $"length {length}");
    }

    [Fact]
    public void TwoRangesSplitAtEveryChunkBoundary()
    {
        foreach (int length in LengthsUpTo9KiB())
        {
            byte[] input = RandomInput(length, seed: length + 1);
            for (int split = 0; split <= length; split += Chunk)
            {
                AssertJoinedEqualsOneShot(input, [split], $"length {length}, split at {split}");
            }
        }
    }

    [Fact]
    public void ThreeRangesSplitAtEveryPairOfChunkBoundaries()
    {
        foreach (int length in new[] { 8 * Chunk - 1, 8 * Chunk, 8 * Chunk + 1, 9 * Chunk, 9 * Chunk + 700 })
        {
            byte[] input = RandomInput(length, seed: length + 2);
            for (int first = 0; first <= length; first += Chunk)
            {
                for (int second = first; second <= length; second += Chunk)
                {
                    AssertJoinedEqualsOneShot(input, [first, second], $"length {length}, splits at {first} and {second}");
                }
            }
        }
    }

    [Fact]
    public void EveryChunkItsOwnRange()
    {
        foreach (int length in new[] { 9 * Chunk, 9 * Chunk + 1, 16 * Chunk, 33 * Chunk - 3 })
        {
            byte[] input = RandomInput(length, seed: length + 3);
            int[] boundaries = Enumerable.Range(1, (length - 1) / Chunk).Select(i => i * Chunk).ToArray();
            AssertJoinedEqualsOneShot(input, boundaries, $"length {length}, {boundaries.Length + 1} ranges");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(4099)]
    [InlineData(65536)]
    public void RangesFedInPiecesOfAnySize(int pieceSize)
    {
        byte[] input = RandomInput(150_000, seed: pieceSize);
        int[][] splits = [[3 * Chunk], [7 * Chunk, 13 * Chunk], [Chunk, 2 * Chunk, 64 * Chunk, 100 * Chunk], [128 * Chunk]];
        foreach (int[] boundaries in splits)
        {
            AssertJoinedEqualsOneShot(input, boundaries, $"pieces of {pieceSize}, splits {string.Join(',', boundaries)}", pieceSize);
        }
    }

    [Fact]
    public void RandomRangesOnEveryBackendMatchOneShot()
    {
        Blake3Backend[] backends = SupportedBackends().ToArray();
        var random = new Random(20261121);
        for (int round = 0; round < 150; round++)
        {
            byte[] input = RandomInput(random.Next(0, 200_000), seed: round);
            int[] boundaries = Enumerable.Range(0, random.Next(0, 8))
                .Select(_ => random.Next(0, input.Length / Chunk + 1) * Chunk)
                .Order()
                .ToArray();
            int pieceSize = random.Next(4) == 0 ? int.MaxValue : random.Next(1, 9000);
            Blake3Backend backend = backends[round % backends.Length];
            AssertJoinedEqualsOneShot(input, boundaries,
                $"round {round}: length {input.Length}, splits {string.Join(',', boundaries)}, pieces of {pieceSize}, {backend}",
                pieceSize, backend);
        }
    }

    [Theory]
    [MemberData(nameof(VectorLengths))]
    public void OfficialVectorInputsSplitAtEveryChunkBoundary(int inputLength)
    {
        VectorCase expected = Vectors.Cases.Single(c => c.InputLength == inputLength);
        byte[] input = PatternInput(inputLength);
        for (int split = 0; split <= inputLength; split += Chunk)
        {
            byte[] output = JoinRanges(input, [split], expected.Hash.Length);
            Assert.True(expected.Hash.AsSpan().SequenceEqual(output), $"vector length {inputLength}, split at {split}");
        }
    }

    [Fact]
    public void LargeInputSplitInsideAndAtThePowerOfTwoBoundary()
    {
        // Big single updates inside each range, so whole subtrees go through the vector backend at nonzero counters.
        const int length = 3 * 1024 * 1024 + 17;
        byte[] input = RandomInput(length, seed: 3);
        AssertJoinedEqualsOneShot(input, [1024 * 1024 + 5 * Chunk], "split at 1 MiB + 5 KiB");
        AssertJoinedEqualsOneShot(input, [2 * 1024 * 1024], "split at 2 MiB");
        AssertJoinedEqualsOneShot(input, [1024 * 1024 + 5 * Chunk, 2 * 1024 * 1024 + 3 * Chunk], "three ranges");
        AssertJoinedEqualsOneShot(input, [Chunk, length / Chunk * Chunk], "a first chunk, the bulk, and a 17-byte tail");
    }

    [Fact]
    public void EmptyAndShortRanges()
    {
        byte[] input = RandomInput(4096 + 5, seed: 4);
        AssertJoinedEqualsOneShot(input.AsSpan(0, 4096).ToArray(), [4096], "an empty last range after a power-of-two input");
        AssertJoinedEqualsOneShot(input.AsSpan(0, 2048).ToArray(), [1024, 2048], "two chunks, then an empty range");
        AssertJoinedEqualsOneShot(input.AsSpan(0, 1024).ToArray(), [1024], "one chunk, then an empty range");
        AssertJoinedEqualsOneShot(input, [4096], "a 5-byte last range");
        AssertJoinedEqualsOneShot(input, [0, 0, 2048, 2048, 4096], "empty ranges first and in the middle");
        AssertJoinedEqualsOneShot([], [0, 0], "three empty ranges");
        AssertJoinedEqualsOneShot(input.AsSpan(0, 1).ToArray(), [0], "an empty range, then 1 byte");
    }

    [Fact]
    public void RangesHashedConcurrentlyOnSeparateThreads()
    {
        byte[] input = RandomInput(8 * 1024 * 1024 + 333, seed: 5);
        int[] bounds = [0, 1024 * 1024 + 3 * Chunk, 4 * 1024 * 1024 + 7 * Chunk, 5 * 1024 * 1024 + Chunk, input.Length];
        var ranges = new Blake3Range[bounds.Length - 1];
        using var start = new Barrier(ranges.Length);
        Thread[] threads = Enumerable.Range(0, ranges.Length).Select(i => new Thread(() =>
        {
            var hasher = new Blake3RangeHasher((ulong)bounds[i]);
            start.SignalAndWait();
            for (int at = bounds[i]; at < bounds[i + 1]; at += 64 * 1024)
            {
                hasher.Update(input.AsSpan(at, Math.Min(64 * 1024, bounds[i + 1] - at)));
            }

            ranges[i] = hasher.Complete();
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        var expected = new byte[32];
        Blake3.Hash(input, expected);
        var actual = new byte[32];
        Blake3Range.Root(ranges, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void CompleteLeavesTheHasherUsableAndReportsTheRange()
    {
        byte[] input = RandomInput(20_000, seed: 6);
        var first = new Blake3RangeHasher(0);
        first.Update(input.AsSpan(0, 8 * Chunk));
        var second = new Blake3RangeHasher(8 * Chunk);
        second.Update(input.AsSpan(8 * Chunk, 3000));
        Blake3Range early = second.Complete();
        second.Update(input.AsSpan(8 * Chunk + 3000));
        Blake3Range late = second.Complete();

        Assert.Equal((8UL * Chunk, 3000UL), (early.Offset, early.Length));
        Assert.Equal((8UL * Chunk, (ulong)(input.Length - 8 * Chunk)), (late.Offset, late.Length));
        Assert.Equal((ulong)(input.Length - 8 * Chunk), second.Length);
        AssertRoot(input.AsSpan(0, 8 * Chunk + 3000), [first.Complete(), early], "after an early Complete");
        AssertRoot(input, [first.Complete(), late], "after Complete then more input");
    }

    [Fact]
    public void UpdateDoesNotAllocate()
    {
        byte[] input = RandomInput(1 << 20, seed: 7);
        var warmUp = new Blake3RangeHasher(5 * Chunk);
        warmUp.Update(input.AsSpan(0, 8192));
        var hasher = new Blake3RangeHasher(3 * Chunk);
        long allocated = ThreadAllocations.Of(
            setUp: () =>
            {
                hasher = new Blake3RangeHasher(3 * Chunk);
                hasher.Update(input.AsSpan(0, 100));
            },
            measured: () =>
            {
                for (int at = 100; at < input.Length; at += 4099)
                {
                    hasher.Update(input.AsSpan(at, Math.Min(4099, input.Length - at)));
                }
            });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void UnalignedOffsetNamesTheProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => new Blake3RangeHasher(3000));
        Assert.Equal("A BLAKE3 range must start at a multiple of 1024 bytes (the chunk length), got offset 3000; split the input at a multiple of 1024, e.g. 2048. (Parameter 'offset')", error.Message);
    }

    [Fact]
    public void RangesThatDoNotCoverTheInputAreRejected()
    {
        byte[] input = RandomInput(5000, seed: 8);
        Blake3Range a = Range(input, 0, 2048), b = Range(input, 2048, 4096), c = Range(input, 4096, 5000);
        Blake3Range partial = Range(input, 0, 2000), afterGap = Range(input, 3072, 5000);

        AssertRejected([b, c], "the first range starts at byte 2048, not 0; pass every range of the input, in input order");
        AssertRejected([a, afterGap], "range 1 of 2 starts at byte 3072 but range 0 ends at byte 2048; ranges must be contiguous and in input order");
        AssertRejected([a, c, b], "range 1 of 3 starts at byte 4096 but range 0 ends at byte 2048; ranges must be contiguous and in input order");
        AssertRejected([a, b, b, c], "range 2 of 4 starts at byte 2048 but range 1 ends at byte 4096; ranges must be contiguous and in input order");
        AssertRejected([partial, Range(input, 2048, 5000)], "range 0 of 2 is 2000 bytes, not a multiple of 1024; only the last range may end inside a BLAKE3 chunk, so split the input at multiples of 1024");
        AssertRejected([], "no ranges were given; an empty input is one range of length 0 at offset 0");
        AssertRejected([a, null!], "range 1 of 2 is null");
    }

    [Fact]
    public void SubtreeCountMatchesAGreedyCover()
    {
        ulong[] firsts = [.. Enumerable.Range(0, 300).Select(i => (ulong)i), (1UL << 40) - 3, (1UL << 53) - 1, 12345678901];
        foreach (ulong first in firsts)
        {
            foreach (ulong span in (ulong[])[.. Enumerable.Range(0, 300).Select(i => (ulong)i), 1UL << 20, (1UL << 30) + 7])
            {
                ulong end = first + span;
                int greedy = 0;
                for (ulong at = first; at < end; at += Blake3Subtrees.NextLength(at, end))
                {
                    ulong length = Blake3Subtrees.NextLength(at, end);
                    Assert.True(at % length == 0 && at + length <= end && (at % (2 * length) != 0 || at + 2 * length > end),
                        $"[{at}, {at + length}) in [{first}, {end}) is not a maximal aligned subtree");
                    greedy++;
                }

                Assert.True(greedy == Blake3Subtrees.Count(first, end), $"[{first}, {end}): {greedy} subtrees, Count says {Blake3Subtrees.Count(first, end)}");
            }
        }
    }

    private static IEnumerable<int> LengthsUpTo9KiB() =>
        Enumerable.Range(0, 10).SelectMany(k => new[] { k * Chunk - 1, k * Chunk, k * Chunk + 1, k * Chunk + 500 }).Where(n => n >= 0);

    private static void AssertJoinedEqualsOneShot(
        byte[] input, int[] boundaries, string what, int pieceSize = int.MaxValue, Blake3Backend? backend = null)
    {
        var expected = new byte[64];
        Blake3.Hash(input, expected);
        byte[] best = JoinRanges(input, boundaries, expected.Length, pieceSize);
        Assert.True(expected.AsSpan().SequenceEqual(best), what);
        if (backend is not null)
        {
            byte[] onBackend = JoinRanges(input, boundaries, expected.Length, pieceSize, backend);
            Assert.True(expected.AsSpan().SequenceEqual(onBackend), what);
        }
    }

    private static void AssertRoot(ReadOnlySpan<byte> input, Blake3Range[] ranges, string what)
    {
        var expected = new byte[32];
        Blake3.Hash(input, expected);
        var actual = new byte[32];
        Blake3Range.Root(ranges, actual);
        Assert.True(expected.AsSpan().SequenceEqual(actual), what);
    }

    private static void AssertRejected(Blake3Range[] ranges, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => Blake3Range.Root(ranges, new byte[32]));
        Assert.Equal($"Cannot join BLAKE3 ranges: {problem}. (Parameter 'ranges')", error.Message);
    }

    /// <summary>Hashes input[0..b0), [b0..b1), …, [bn..end) as separate ranges and joins them.</summary>
    private static byte[] JoinRanges(
        byte[] input, int[] boundaries, int outputLength, int pieceSize = int.MaxValue, Blake3Backend? backend = null)
    {
        int[] bounds = [0, .. boundaries, input.Length];
        var ranges = new Blake3Range[bounds.Length - 1];
        for (int i = 0; i < ranges.Length; i++)
        {
            ranges[i] = Range(input, bounds[i], bounds[i + 1], pieceSize, backend);
        }

        var output = new byte[outputLength];
        Blake3Range.Root(ranges, output);
        return output;
    }

    private static Blake3Range Range(byte[] input, int start, int end, int pieceSize = int.MaxValue, Blake3Backend? backend = null)
    {
        var hasher = backend is { } b ? new Blake3RangeHasher((ulong)start, b) : new Blake3RangeHasher((ulong)start);
        for (int at = start; at < end;)
        {
            int take = Math.Min(pieceSize, end - at);
            hasher.Update(input.AsSpan(at, take));
            at += take;
        }

        Assert.Equal((ulong)(end - start), hasher.Length);
        return hasher.Complete();
    }
}
