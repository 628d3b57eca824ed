using Pgark.Repository.Codecs;

namespace Pgark.Repository.Tests.Codecs;

/// <summary>ZstdCompressor's largeInputParameters: the level's large-input row for every frame (how chunks are compressed).</summary>
public sealed class ZstdLargeInputParametersTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(9)]
    public void Above_256_KiB_the_frame_is_the_one_the_level_alone_writes(int level)
    {
        // zstd already uses the large-input row past 256 KiB, so pinning it must change nothing there.
        var plain = ZstdTestData.Compressible(1 << 20, seed: level);
        Assert.Equal(Compress(new ZstdCompressor(level), plain), Compress(new ZstdCompressor(level, largeInputParameters: true), plain));
    }

    [Theory]
    [InlineData(40_000)]
    [InlineData(200_000)]
    public void Chunk_sized_frames_round_trip_and_differ_from_the_small_input_rows(int length)
    {
        var plain = ZstdTestData.Compressible(length, seed: 7);
        var pinned = Compress(new ZstdCompressor(3, largeInputParameters: true), plain);
        var decoded = new byte[plain.Length];
        Zstd.DecompressExact(pinned, decoded);
        Assert.Equal(plain, decoded);
        // Level 3's rows for ≤ 128 and ≤ 256 KiB differ from its large-input row (search log 2, resp. minimum match 4).
        Assert.NotEqual(Compress(new ZstdCompressor(3), plain), pinned);
    }

    [Fact]
    public void Changing_the_level_pins_the_new_levels_parameters()
    {
        var plain = ZstdTestData.Compressible(200_000, seed: 9);
        using var reused = new ZstdCompressor(3, largeInputParameters: true);
        Compress(reused, plain, dispose: false);
        reused.Level = 1;
        Assert.Equal(Compress(new ZstdCompressor(1, largeInputParameters: true), plain), Compress(reused, plain, dispose: false));
        reused.Level = 3;
        Assert.Equal(Compress(new ZstdCompressor(3, largeInputParameters: true), plain), Compress(reused, plain, dispose: false));
    }

    private static byte[] Compress(ZstdCompressor compressor, byte[] plain, bool dispose = true)
    {
        try
        {
            var frame = new byte[Zstd.CompressBound(plain.Length)];
            return frame.AsSpan(0, compressor.Compress(plain, frame)).ToArray();
        }
        finally
        {
            if (dispose)
                compressor.Dispose();
        }
    }
}
