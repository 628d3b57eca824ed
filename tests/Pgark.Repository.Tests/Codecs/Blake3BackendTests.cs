using Pgark.Repository.Codecs;
using static Pgark.Repository.Tests.Codecs.Blake3TestData;

namespace Pgark.Repository.Tests.Codecs;

/// <summary>The scalar path and every vector path this CPU can run produce identical output.</summary>
public sealed class Blake3BackendTests
{
    [Fact]
    public void ThisMachineRunsTheVectorPaths()
    {
        // The brief's machine has AVX2; if this fails the vector tests below compared scalar with itself.
        Assert.Contains(Blake3Backend.Vector256, SupportedBackends());
        Assert.Contains(Blake3Backend.Vector128, SupportedBackends());
        Assert.Contains(Blake3Backend.Vector512, SupportedBackends()); // emulated Vector512 arithmetic when AVX-512 is absent
    }

    [Fact]
    public void BackendsAgreeOnEveryChunkCountUpToSeventyAndAroundTheirBoundaries()
    {
        var lengths = new List<int>();
        for (int chunks = 1; chunks <= 70; chunks++)
        {
            lengths.AddRange([chunks * 1024 - 1, chunks * 1024, chunks * 1024 + 1, chunks * 1024 + 512]);
        }

        byte[] input = Blake3IncrementalTests.RandomInput(lengths.Max(), seed: 11);
        byte[] key = Blake3IncrementalTests.RandomInput(32, seed: 12);
        foreach (int length in lengths)
        {
            AssertBackendsAgree(input.AsSpan(0, length), key, length);
        }
    }

    [Fact]
    public void BackendsAgreeOnLargeRandomInputs()
    {
        var random = new Random(13);
        byte[] key = Blake3IncrementalTests.RandomInput(32, seed: 14);
        foreach (int length in (int[])[(1 << 20) + 3, 3 << 19, random.Next(100_000, 2_000_000), random.Next(100_000, 2_000_000)])
        {
            AssertBackendsAgree(Blake3IncrementalTests.RandomInput(length, seed: length), key, length);
        }
    }

    [Fact]
    public void IncrementalHasherAgreesOnEveryBackend()
    {
        byte[] input = Blake3IncrementalTests.RandomInput(500_000, seed: 15);
        var expected = new byte[32];
        Blake3.HashCore(Blake3Backend.Scalar, input, Blake3Constants.IVBytes, 0, expected);
        foreach (Blake3Backend backend in SupportedBackends())
        {
            var hasher = new Blake3Hasher(Blake3Constants.IVBytes, 0, backend);
            for (int offset = 0; offset < input.Length; offset += 70_001)
            {
                hasher.Update(input.AsSpan(offset, Math.Min(70_001, input.Length - offset)));
            }

            var actual = new byte[32];
            hasher.Finalize(actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"incremental on {backend}");
        }
    }

    [Fact]
    public void RowCompressionEqualsPortableCompression()
    {
        Assert.True(Blake3CompressionRows.IsSupported, "this machine has 128-bit SIMD, so the row path must be in use");
        var random = new Random(16);
        byte[] cv = new byte[32], block = new byte[64], expected = new byte[64], actual = new byte[64];
        for (int i = 0; i < 5000; i++)
        {
            random.NextBytes(cv);
            random.NextBytes(block);
            ulong counter = (ulong)random.NextInt64();
            uint blockLength = (uint)random.Next(0, 65);
            uint flags = (uint)random.Next(0, 128);
            int outputLength = i % 2 == 0 ? 32 : 64;
            Blake3Compression.CompressPortable(cv, block, counter, blockLength, flags, expected.AsSpan(0, outputLength));
            Blake3CompressionRows.Compress(cv, block, counter, blockLength, flags, actual.AsSpan(0, outputLength));
            Assert.True(expected.AsSpan(0, outputLength).SequenceEqual(actual.AsSpan(0, outputLength)), $"case {i}");
        }
    }

    [Fact]
    public void ParallelHashEqualsSingleThreaded()
    {
        foreach (int length in (int[])[0, 1025, 512 * 1024 + 1, (1 << 20) + 5000, 7_654_321])
        {
            byte[] input = Blake3IncrementalTests.RandomInput(length, seed: length);
            var expected = new byte[40];
            Blake3.HashCore(Blake3Backend.Scalar, input, Blake3Constants.IVBytes, 0, expected);
            var actual = new byte[40];
            Blake3.HashParallel(input, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"parallel at length {length}");
        }
    }

    private static void AssertBackendsAgree(ReadOnlySpan<byte> input, byte[] key, int length)
    {
        Span<byte> expected = stackalloc byte[40];
        Span<byte> actual = stackalloc byte[40];
        Blake3.HashCore(Blake3Backend.Scalar, input, key, Blake3Constants.KeyedHash, expected);
        foreach (Blake3Backend backend in SupportedBackends())
        {
            Blake3.HashCore(backend, input, key, Blake3Constants.KeyedHash, actual);
            Assert.True(expected.SequenceEqual(actual), $"{backend} differs from scalar at length {length}");
        }
    }
}
