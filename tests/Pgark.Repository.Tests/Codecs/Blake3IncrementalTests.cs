using Pgark.Repository.Codecs;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests.Codecs;

/// <summary>Incremental hashing equals one-shot hashing however the input is split.</summary>
public sealed class Blake3IncrementalTests
{
    private static readonly int[] s_lengths = [0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 4096, 5000, 16384, 65537, 300_000];

    public static TheoryData<int> PieceSizes() => new() { 1, 63, 64, 65, 1023, 1024, 1025, 4096, 8191 };

    [Theory]
    [MemberData(nameof(PieceSizes))]
    public void FixedPieceSizesEqualOneShot(int pieceSize)
    {
        foreach (int length in s_lengths)
        {
            byte[] input = RandomInput(length, seed: length);
            var hasher = new Blake3Hasher();
            for (int offset = 0; offset < length; offset += pieceSize)
            {
                hasher.Update(input.AsSpan(offset, Math.Min(pieceSize, length - offset)));
            }

            AssertSameAsOneShot(input, hasher, $"length {length}, pieces of {pieceSize}");
        }
    }

    [Fact]
    public void RandomSplitsEqualOneShot()
    {
        var random = new Random(20261121);
        for (int round = 0; round < 200; round++)
        {
            byte[] input = RandomInput(random.Next(0, 200_000), seed: round);
            var hasher = new Blake3Hasher();
            var splits = new List<int>();
            for (int offset = 0; offset < input.Length;)
            {
                // Mostly small pieces with the occasional large one, so both the block path and the subtree path run.
                int piece = Math.Min(random.Next(4) == 0 ? random.Next(1, 70_000) : random.Next(0, 2100), input.Length - offset);
                hasher.Update(input.AsSpan(offset, piece));
                splits.Add(piece);
                offset += piece;
            }

            AssertSameAsOneShot(input, hasher, $"length {input.Length}, splits {string.Join(',', splits)}");
        }
    }

    [Fact]
    public void SplitAtEveryOffsetAroundChunkBoundaries()
    {
        byte[] input = RandomInput(3 * 1024 + 7, seed: 7);
        for (int split = 0; split <= input.Length; split++)
        {
            var hasher = new Blake3Hasher();
            hasher.Update(input.AsSpan(0, split));
            hasher.Update(input.AsSpan(split));
            AssertSameAsOneShot(input, hasher, $"split at {split}");
        }
    }

    [Fact]
    public void ResetForgetsInputButKeepsTheKey()
    {
        byte[] key = RandomInput(32, seed: 1);
        byte[] input = RandomInput(10_000, seed: 2);
        Blake3Hasher hasher = Blake3Hasher.CreateKeyed(key);
        hasher.Update(RandomInput(5000, seed: 3));
        hasher.Reset();
        hasher.Update(input);
        var expected = new byte[32];
        Blake3.KeyedHash(key, input, expected);
        var actual = new byte[32];
        hasher.Finalize(actual);
        Assert.Equal(expected, actual);
        Assert.Equal(10_000UL, hasher.Length);
    }

    [Fact]
    public void FinalizeDoesNotConsumeTheState()
    {
        byte[] input = RandomInput(5000, seed: 4);
        var hasher = new Blake3Hasher();
        hasher.Update(input.AsSpan(0, 2048));
        var early = new byte[32];
        hasher.Finalize(early);
        hasher.Update(input.AsSpan(2048));
        var whole = new byte[32];
        hasher.Finalize(whole);

        var expectedEarly = new byte[32];
        Blake3.Hash(input.AsSpan(0, 2048), expectedEarly);
        Assert.Equal(expectedEarly, early);
        AssertSameAsOneShot(input, hasher, "after an intermediate Finalize");
    }

    [Fact]
    public void UpdateDoesNotAllocate()
    {
        byte[] input = RandomInput(1 << 20, seed: 5);
        Span<byte> output = stackalloc byte[32];
        // Warm up every path measured below: a type's first use on this thread (static initialisers) may allocate, and
        // which test touches BLAKE3 first depends on xunit's scheduling; steady state is what must not allocate.
        var warmUp = new Blake3Hasher();
        warmUp.Update(input.AsSpan(0, 8192));
        warmUp.Finalize(output);
        Blake3.Hash(input, output);
        byte[] digest = new byte[32];
        var hasher = new Blake3Hasher();
        long allocated = ThreadAllocations.Of(
            setUp: () =>
            {
                hasher = new Blake3Hasher();
                hasher.Update(input.AsSpan(0, 100));
            },
            measured: () =>
            {
                for (int offset = 100; offset < input.Length; offset += 4099)
                {
                    hasher.Update(input.AsSpan(offset, Math.Min(4099, input.Length - offset)));
                }

                hasher.Finalize(digest);
                Blake3.Hash(input, digest);
            });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void WrongKeyLengthNamesTheProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => Blake3Hasher.CreateKeyed(new byte[31]));
        Assert.StartsWith("BLAKE3 keyed hash needs a key of exactly 32 bytes, got 31;", error.Message);
    }

    private static void AssertSameAsOneShot(byte[] input, Blake3Hasher hasher, string what)
    {
        var expected = new byte[100];
        Blake3.Hash(input, expected);
        var actual = new byte[100];
        hasher.Finalize(actual);
        Assert.True(expected.AsSpan().SequenceEqual(actual), what);
    }

    internal static byte[] RandomInput(int length, int seed)
    {
        var input = new byte[length];
        new Random(seed).NextBytes(input);
        return input;
    }
}
