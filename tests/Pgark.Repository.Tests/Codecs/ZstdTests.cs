using System.Buffers;
using Pgark.Repository.Codecs;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests.Codecs;

public sealed class ZstdTests
{
    [Theory]
    [InlineData(-5)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(19)]
    public void OneShot_round_trips_at_level(int level)
    {
        byte[] plain = ZstdTestData.Compressible(300_000);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];

        int compressedLength = Zstd.Compress(plain, frame, level);
        byte[] decoded = new byte[plain.Length];
        int decodedLength = Zstd.Decompress(frame.AsSpan(0, compressedLength), decoded);

        Assert.True(compressedLength < plain.Length / 2, $"level {level} compressed to {compressedLength}");
        Assert.Equal(plain.Length, decodedLength);
        Assert.Equal(plain, decoded);
    }

    [Fact]
    public void Higher_levels_compress_text_smaller_than_negative_levels()
    {
        byte[] plain = ZstdTestData.Compressible(300_000);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];

        int fast = Zstd.Compress(plain, frame, -5);
        int strong = Zstd.Compress(plain, frame, 19);

        Assert.True(strong < fast, $"level 19 gave {strong} bytes, level -5 gave {fast}");
    }

    [Fact]
    public void Incompressible_data_round_trips_within_the_bound()
    {
        byte[] plain = ZstdTestData.Incompressible(1 << 20);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];

        int compressedLength = Zstd.Compress(plain, frame, 3);
        byte[] decoded = new byte[plain.Length];
        Zstd.DecompressExact(frame.AsSpan(0, compressedLength), decoded);

        Assert.InRange(compressedLength, plain.Length, Zstd.CompressBound(plain.Length));
        Assert.Equal(plain, decoded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(128 << 10)]
    [InlineData(1 << 20)]
    public void CompressBound_matches_libzstd(int length)
    {
        Assert.Equal((int)ZstdNative.CompressBound((nuint)length), Zstd.CompressBound(length));
    }

    [Fact]
    public void Empty_input_round_trips()
    {
        byte[] frame = new byte[Zstd.CompressBound(0)];
        int compressedLength = Zstd.Compress([], frame, 3);

        Assert.Equal(0, Zstd.Decompress(frame.AsSpan(0, compressedLength), []));
        Assert.Equal(0L, Zstd.GetFrameContentSize(frame.AsSpan(0, compressedLength)));
    }

    [Fact]
    public void Frames_carry_their_content_size()
    {
        byte[] plain = ZstdTestData.Compressible(12_345);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];
        int compressedLength = Zstd.Compress(plain, frame, 1);

        Assert.Equal(12_345L, Zstd.GetFrameContentSize(frame.AsSpan(0, compressedLength)));
    }

    [Fact]
    public void GetFrameContentSize_rejects_non_frames()
    {
        var e = Assert.Throws<ZstdException>(() => Zstd.GetFrameContentSize("not zstd"u8));
        Assert.Equal("zstd frame header parsing failed: not a zstd frame, or its header is truncated", e.Message);
    }

    [Fact]
    public void Flipped_byte_in_a_checksummed_frame_is_detected()
    {
        byte[] plain = ZstdTestData.Incompressible(64 << 10);
        using var compressor = new ZstdCompressor(level: 3, checksum: true);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];
        int compressedLength = compressor.Compress(plain, frame);

        // Incompressible input is stored in raw blocks, so only the checksum can notice this flip.
        frame[compressedLength / 2] ^= 0x01;

        var e = Assert.Throws<ZstdException>(() => Zstd.Decompress(frame.AsSpan(0, compressedLength), new byte[plain.Length]));
        Assert.Equal("Restored data doesn't match checksum", e.ErrorName);
        Assert.Equal("zstd decompression failed: Restored data doesn't match checksum", e.Message);
    }

    [Fact]
    public void Corrupt_compressed_blocks_throw_rather_than_return_garbage()
    {
        byte[] plain = ZstdTestData.Compressible(200_000);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];
        int compressedLength = Zstd.Compress(plain, frame, 3);
        byte[] decoded = new byte[plain.Length];

        // Without a checksum a flip may still decode, but then it must not claim the original content; try many
        // positions and require each to either throw ZstdException or produce visibly different bytes.
        int thrown = 0;
        for (int position = 20; position < compressedLength; position += 97)
        {
            byte[] damaged = frame.AsSpan(0, compressedLength).ToArray();
            damaged[position] ^= 0x5A;
            try
            {
                int length = Zstd.Decompress(damaged, decoded);
                Assert.False(length == plain.Length && decoded.AsSpan().SequenceEqual(plain), $"flip at {position} went unnoticed");
            }
            catch (ZstdException)
            {
                thrown++;
            }
        }

        Assert.True(thrown > 0);
    }

    [Fact]
    public void Truncated_frame_throws()
    {
        byte[] plain = ZstdTestData.Compressible(100_000);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];
        int compressedLength = Zstd.Compress(plain, frame, 3);

        var e = Assert.Throws<ZstdException>(() => Zstd.Decompress(frame.AsSpan(0, compressedLength - 10), new byte[plain.Length]));
        Assert.Equal("Src size is incorrect", e.ErrorName);
    }

    [Fact]
    public void Garbage_throws_unknown_frame_descriptor()
    {
        var e = Assert.Throws<ZstdException>(() => Zstd.Decompress(ZstdTestData.Incompressible(1000), new byte[10_000]));
        Assert.Equal("Unknown frame descriptor", e.ErrorName);
    }

    [Fact]
    public void Destination_too_small_throws()
    {
        byte[] plain = ZstdTestData.Compressible(100_000);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];
        int compressedLength = Zstd.Compress(plain, frame, 3);

        var e = Assert.Throws<ZstdException>(() => Zstd.Decompress(frame.AsSpan(0, compressedLength), new byte[plain.Length - 1]));
        Assert.Equal("Destination buffer is too small", e.ErrorName);
    }

    [Fact]
    public void DecompressExact_throws_when_the_destination_is_larger_than_the_frame()
    {
        byte[] plain = ZstdTestData.Compressible(100_000);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];
        int compressedLength = Zstd.Compress(plain, frame, 3);

        var e = Assert.Throws<ZstdException>(() => Zstd.DecompressExact(frame.AsSpan(0, compressedLength), new byte[plain.Length + 1]));
        Assert.Equal("zstd decompression failed: frame holds 100000 bytes but 100001 were expected", e.Message);
    }

    [Fact]
    public void Compress_into_too_small_destination_throws_and_TryCompress_returns_false()
    {
        byte[] plain = ZstdTestData.Incompressible(10_000);
        using var compressor = new ZstdCompressor(3);

        var e = Assert.Throws<ZstdException>(() => compressor.Compress(plain, new byte[plain.Length]));
        Assert.Equal("Destination buffer is too small", e.ErrorName);
        Assert.False(compressor.TryCompress(plain, new byte[plain.Length], out _));

        // The context is usable again after the failure.
        byte[] text = ZstdTestData.Compressible(10_000);
        byte[] frame = new byte[text.Length];
        Assert.True(compressor.TryCompress(text, frame, out int written));
        byte[] decoded = new byte[text.Length];
        Zstd.DecompressExact(frame.AsSpan(0, written), decoded);
        Assert.Equal(text, decoded);
    }

    [Theory]
    [InlineData(23)]
    [InlineData(-200_000)]
    public void Out_of_range_level_names_the_accepted_range(int level)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ZstdCompressor(level));
        Assert.StartsWith(
            $"zstd compression level {level} is out of range; this libzstd accepts {Zstd.MinLevel} to {Zstd.MaxLevel} "
            + "(negative levels are faster, 3 is zstd's default, 19 and above are slow)",
            e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Zstd.Compress([1, 2, 3], new byte[100], level));
    }

    [Fact]
    public void Level_range_comes_from_the_library()
    {
        Assert.Equal(ZstdNative.MinCompressionLevel(), Zstd.MinLevel);
        Assert.Equal(22, Zstd.MaxLevel);
        Assert.True(Zstd.MinLevel < -5);
        Assert.True(Zstd.VersionNumber >= 10400);
    }

    [Fact]
    public void Missing_library_gives_the_install_hint()
    {
        var e = Assert.Throws<ZstdLibraryNotFoundException>(() => ZstdLibrary.LoadFirst(["libzstd-missing.so.9"]));
        Assert.Equal(
            "libzstd.so.1 not found; install it: apt-get install libzstd1 (Debian/Ubuntu) or dnf install libzstd (RHEL) "
            + "(tried: libzstd-missing.so.9)",
            e.Message);
        Assert.Equal("install it: apt-get install libzstd1 (Debian/Ubuntu) or dnf install libzstd (RHEL)", e.Hint);
        Assert.Equal("libzstd.so.1, the Zstandard library pgark compresses repository data with, could not be loaded (tried: libzstd-missing.so.9)", e.Problem);
    }

    [Fact]
    public void Unversioned_library_name_also_resolves_when_the_dev_symlink_exists()
    {
        // "libzstd.so.1" must always load; "libzstd" resolves only where the -dev package's symlink is installed.
        Assert.NotEqual(IntPtr.Zero, ZstdLibrary.LoadFirst(["libzstd-missing.so.9", "libzstd.so.1"]));
    }

    [Fact]
    public void Checksum_adds_four_bytes()
    {
        byte[] plain = ZstdTestData.Compressible(50_000);
        using var plainCompressor = new ZstdCompressor(3, checksum: false);
        using var checkedCompressor = new ZstdCompressor(3, checksum: true);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];

        Assert.Equal(plainCompressor.Compress(plain, frame) + 4, checkedCompressor.Compress(plain, frame));
    }

    [Fact]
    public void Static_methods_do_not_allocate_after_warm_up()
    {
        byte[] plain = ZstdTestData.Compressible(256 << 10);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];
        byte[] decoded = new byte[plain.Length];
        // Warm up exactly the calls measured below: the first use of a method or a native entry point in the process
        // (JIT, P/Invoke stub, type loading) may allocate on whichever thread gets there first, so a warm-up that
        // skipped DecompressExact or a negative level passed or failed depending on which test ran first.
        int length = 0;
        foreach (int level in (int[])[1, -1])
        {
            length = Zstd.Compress(plain, frame, level);
            Zstd.DecompressExact(frame.AsSpan(0, length), decoded);
        }

        Assert.Equal(0, ThreadAllocations.Of(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                length = Zstd.Compress(plain, frame, i % 2 == 0 ? 1 : -1);
                Zstd.DecompressExact(frame.AsSpan(0, length), decoded);
            }
        }));
    }
}
