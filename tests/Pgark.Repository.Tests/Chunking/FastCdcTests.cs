using Pgark.Repository.Chunking;

namespace Pgark.Repository.Tests.Chunking;

public sealed class FastCdcTests
{
    private static readonly FastCdcOptions s_small = new(2 << 10, 8 << 10, 32 << 10);

    [Fact]
    public void SplitMix64_matches_the_published_first_output_for_seed_zero()
    {
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, GearTable.SplitMix64(ref state));
    }

    // The gear table and these cut points are part of the repository format: boundaries must never move.
    // The expected values were computed by an independent Python script implementing the spec's rule.
    [Fact]
    public void Gear_table_is_pinned()
    {
        Assert.Equal(0x706761726B2D6364UL, GearTable.Seed);
        Assert.Equal(0x870DB8EDADA9DD3CUL, GearTable.s_gear[0]);
        Assert.Equal(0x9A7B6562811DC174UL, GearTable.s_gear[1]);
        Assert.Equal(0x990143082B1BDAABUL, GearTable.s_gear[2]);
        Assert.Equal(0x27717103C7C2A05FUL, GearTable.s_gear[3]);
        Assert.Equal(0xB429947F3A4C861AUL, GearTable.s_gear[255]);
        Assert.Equal(256, GearTable.s_gear.Distinct().Count());
    }

    [Fact]
    public void Cut_points_are_pinned_for_small_chunks()
    {
        byte[] data = ChunkingTestData.SplitMix64Bytes(1 << 20, seed: 1);

        List<int> offsets = ChunkingTestData.CutOffsets(new FastCdc(s_small), data);

        Assert.Equal([9911, 18014, 27200, 37552, 48718, 54528, 63011, 68404, 71621, 85232, 88574, 91396], offsets.Take(12));
        Assert.Equal(114, offsets.Count);
    }

    [Fact]
    public void Cut_points_are_pinned_for_the_default_sizes()
    {
        byte[] data = ChunkingTestData.SplitMix64Bytes(8 << 20, seed: 2);

        List<int> offsets = ChunkingTestData.CutOffsets(new FastCdc(FastCdcOptions.Default), data);

        Assert.Equal(
            [
                132982, 267551, 376907, 508351, 695319, 863835, 1042626, 1293490, 1369051, 1506775, 1619248, 1750929,
                1894879, 2012797, 2146408, 2300093, 2435750, 2639420, 2715114, 2888380, 3029726, 3172507, 3393766,
                3525418, 3620988, 3759810, 3835484, 3994463, 4123648, 4244507, 4446272, 4613799, 4690883, 4902168,
                5042497, 5201076, 5367915, 5560141, 5595496, 5727501, 5889019, 6049614, 6183345, 6340802, 6491463,
                6646309, 6812950, 6981699, 7060828, 7122489, 7344985, 7527489, 7662727, 7807294, 7873137, 8048589,
                8223798, 8355416, 8388608,
            ],
            offsets);
    }

    [Fact]
    public void Default_sizes_are_pinned()
    {
        Assert.Equal(new FastCdcOptions(32 << 10, 128 << 10, 512 << 10, 2), FastCdcOptions.Default);
    }

    [Theory]
    [InlineData(64, 256, 1024, 0, 1)]
    [InlineData(100, 1024, 3000, 1, 2)]
    [InlineData(2048, 8192, 32768, 2, 3)]
    [InlineData(2048, 8192, 32768, 3, 4)]
    [InlineData(1000, 4096, 5000, 2, 5)]
    public void Two_bytes_per_shift_loop_equals_the_byte_at_a_time_rule(int min, int avg, int max, int nc, int seed)
    {
        var options = new FastCdcOptions(min, avg, max, nc);
        var chunker = new FastCdc(options);
        byte[] data = ChunkingTestData.SplitMix64Bytes(400_000, (ulong)seed);
        var random = new Random(seed);

        for (int position = 0; position < data.Length;)
        {
            // Odd and even lengths, both masks, and the max cut all get exercised.
            ReadOnlySpan<byte> rest = data.AsSpan(position, Math.Min(data.Length - position, max + random.Next(3)));
            int expected = ChunkingTestData.ReferenceCutPoint(rest, options);
            Assert.Equal(expected, chunker.FindCutPoint(rest, isFinal: true));
            position += expected;
        }
    }

    [Fact]
    public void Chunks_stay_within_limits_and_concatenate_to_the_input()
    {
        byte[] data = ChunkingTestData.SplitMix64Bytes(3_000_001, seed: 7);
        var chunker = new FastCdc(s_small);

        List<int> offsets = ChunkingTestData.CutOffsets(chunker, data);

        int previous = 0;
        for (int i = 0; i < offsets.Count; i++)
        {
            int length = offsets[i] - previous;
            if (i < offsets.Count - 1)
            {
                Assert.InRange(length, s_small.MinSize + 1, s_small.MaxSize);
            }
            else
            {
                Assert.InRange(length, 1, s_small.MaxSize);
            }

            previous = offsets[i];
        }

        Assert.Equal(data.Length, offsets[^1]);
    }

    [Fact]
    public void Zeros_cut_at_max_size()
    {
        // Gear hashing of a run of one byte value converges to a fixed fingerprint; it must not cut early forever.
        byte[] data = new byte[100_000];
        var chunker = new FastCdc(s_small);

        List<int> offsets = ChunkingTestData.CutOffsets(chunker, data);

        Assert.All(offsets.Take(offsets.Count - 1), offset => Assert.Equal(0, offset % s_small.MaxSize));
        Assert.Equal(100_000, offsets[^1]);
    }

    [Fact]
    public void Need_more_data_until_max_or_final()
    {
        var chunker = new FastCdc(s_small);
        byte[] zeros = new byte[s_small.MaxSize + 10];

        Assert.Equal(-1, chunker.FindCutPoint(zeros.AsSpan(0, s_small.MinSize), isFinal: false));
        Assert.Equal(-1, chunker.FindCutPoint(zeros.AsSpan(0, s_small.MaxSize - 1), isFinal: false));
        Assert.Equal(s_small.MaxSize, chunker.FindCutPoint(zeros.AsSpan(0, s_small.MaxSize), isFinal: false));
        Assert.Equal(s_small.MaxSize, chunker.FindCutPoint(zeros, isFinal: false));
        Assert.Equal(100, chunker.FindCutPoint(zeros.AsSpan(0, 100), isFinal: true));
        Assert.Equal(0, chunker.FindCutPoint([], isFinal: true));
    }

    [Fact]
    public void Mean_chunk_size_is_near_the_average()
    {
        byte[] data = ChunkingTestData.SplitMix64Bytes(8 << 20, seed: 11);

        List<int> offsets = ChunkingTestData.CutOffsets(new FastCdc(s_small), data);

        double mean = (double)data.Length / offsets.Count;
        Assert.InRange(mean, s_small.AverageSize * 0.9, s_small.AverageSize * 1.6);
    }

    [Theory]
    [InlineData(10, 256, 1024, 2, "FastCDC minimum chunk size 10 is below 64 bytes")]
    [InlineData(64, 300, 1024, 2, "FastCDC average chunk size 300 is not a power of two")]
    [InlineData(512, 256, 1024, 2, "FastCDC chunk sizes must satisfy min < average < max; got 512 / 256 / 1024")]
    [InlineData(64, 256, 256, 2, "FastCDC chunk sizes must satisfy min < average < max; got 64 / 256 / 256")]
    [InlineData(64, 256, 128 << 20, 2, "FastCDC maximum chunk size 134217728 is above 67108864")]
    [InlineData(64, 256, 1024, 8, "FastCDC normalization level 8 must be between 0 and 7 for average 256")]
    public void Bad_options_name_the_problem(int min, int avg, int max, int nc, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new FastCdc(new FastCdcOptions(min, avg, max, nc)));
        Assert.StartsWith(message, e.Message);
    }
}
