using System.Buffers;
using Pgark.Repository.Codecs;

namespace Pgark.Repository.Tests.Codecs;

public sealed class ZstdStreamingTests
{
    [Theory]
    [InlineData(1, 7)]
    [InlineData(3, 4096)]
    [InlineData(-1, 100_000)]
    public void Streamed_frame_decodes_to_the_same_bytes_as_one_shot(int level, int pieceSize)
    {
        byte[] plain = ZstdTestData.Compressible(700_000);
        using var compressor = new ZstdCompressor(level);

        byte[] streamed = CompressInPieces(compressor, plain, pieceSize, outputSize: 1000);
        byte[] oneShot = new byte[Zstd.CompressBound(plain.Length)];
        int oneShotLength = Zstd.Compress(plain, oneShot, level);

        // Each decoder reads the other's frame: the streamed frame one-shot, the one-shot frame streamed.
        byte[] decoded = new byte[plain.Length];
        Zstd.DecompressExact(streamed, decoded);
        Assert.Equal(plain, decoded);
        Assert.Equal(plain, DecompressInPieces(oneShot.AsSpan(0, oneShotLength).ToArray(), pieceSize, outputSize: 777));
        Assert.Equal(plain, DecompressInPieces(streamed, pieceSize, outputSize: 777));
    }

    [Fact]
    public void Pledged_size_is_written_into_a_streamed_frame()
    {
        byte[] plain = ZstdTestData.Compressible(50_000);
        using var compressor = new ZstdCompressor(3);
        compressor.SetPledgedSourceSize(plain.Length);
        byte[] pledged = CompressInPieces(compressor, plain, 1000, 500);
        byte[] unpledged = CompressInPieces(compressor, plain, 1000, 500);

        Assert.Equal(50_000L, Zstd.GetFrameContentSize(pledged));
        Assert.Null(Zstd.GetFrameContentSize(unpledged));
    }

    [Fact]
    public async Task Stream_helpers_round_trip_more_than_their_buffers()
    {
        byte[] plain = ZstdTestData.Compressible(3_000_000);
        using var compressor = new ZstdCompressor(1, checksum: true);
        using var decompressor = new ZstdDecompressor();
        var compressed = new MemoryStream();
        var decoded = new MemoryStream();

        await compressor.CompressAsync(new MemoryStream(plain), compressed);
        compressed.Position = 0;
        await decompressor.DecompressAsync(compressed, decoded);

        Assert.Equal(plain, decoded.ToArray());
    }

    [Fact]
    public async Task Stream_helper_rejects_a_truncated_stream()
    {
        byte[] plain = ZstdTestData.Compressible(500_000);
        using var compressor = new ZstdCompressor(3);
        using var decompressor = new ZstdDecompressor();
        var compressed = new MemoryStream();
        await compressor.CompressAsync(new MemoryStream(plain), compressed);
        byte[] truncated = compressed.ToArray().AsSpan(0, (int)compressed.Length - 100).ToArray();

        var e = await Assert.ThrowsAsync<ZstdException>(
            async () => await decompressor.DecompressAsync(new MemoryStream(truncated), Stream.Null));
        Assert.Equal("zstd decompression failed: input ended inside a frame (end of stream); the data is truncated", e.Message);

        // The context was reset by the failure and decodes a good stream next.
        compressed.Position = 0;
        var decoded = new MemoryStream();
        await decompressor.DecompressAsync(compressed, decoded);
        Assert.Equal(plain, decoded.ToArray());
    }

    [Fact]
    public void Streaming_decompression_of_garbage_throws()
    {
        using var decompressor = new ZstdDecompressor();
        var e = Assert.Throws<ZstdException>(
            () => decompressor.DecompressStream(ZstdTestData.Incompressible(100), new byte[1000], out _, out _));
        Assert.Equal("Unknown frame descriptor", e.ErrorName);
    }

    [Fact]
    public void Streaming_decompression_reports_need_more_data_inside_a_frame()
    {
        byte[] plain = ZstdTestData.Compressible(10_000);
        byte[] frame = new byte[Zstd.CompressBound(plain.Length)];
        int length = Zstd.Compress(plain, frame, 3);
        using var decompressor = new ZstdDecompressor();

        OperationStatus status = decompressor.DecompressStream(frame.AsSpan(0, length / 2), new byte[plain.Length], out int consumed, out _);

        Assert.Equal(OperationStatus.NeedMoreData, status);
        Assert.Equal(length / 2, consumed);
    }

    private static byte[] CompressInPieces(ZstdCompressor compressor, byte[] plain, int pieceSize, int outputSize)
    {
        var result = new MemoryStream();
        byte[] output = new byte[outputSize];
        for (int offset = 0; ; offset += pieceSize)
        {
            int end = Math.Min(plain.Length, offset + pieceSize);
            bool final = end == plain.Length;
            ReadOnlySpan<byte> piece = plain.AsSpan(offset, end - offset);
            OperationStatus status;
            do
            {
                status = compressor.CompressStream(piece, output, out int consumed, out int written, final);
                piece = piece[consumed..];
                result.Write(output, 0, written);
            }
            while (status != OperationStatus.Done);

            if (final)
            {
                return result.ToArray();
            }
        }
    }

    private static byte[] DecompressInPieces(byte[] frame, int pieceSize, int outputSize)
    {
        using var decompressor = new ZstdDecompressor();
        var result = new MemoryStream();
        byte[] output = new byte[outputSize];
        OperationStatus status = OperationStatus.NeedMoreData;
        for (int offset = 0; offset < frame.Length; offset += pieceSize)
        {
            ReadOnlySpan<byte> piece = frame.AsSpan(offset, Math.Min(pieceSize, frame.Length - offset));
            do
            {
                status = decompressor.DecompressStream(piece, output, out int consumed, out int written);
                piece = piece[consumed..];
                result.Write(output, 0, written);
            }
            while (!piece.IsEmpty || status == OperationStatus.DestinationTooSmall);
        }

        Assert.Equal(OperationStatus.Done, status);
        return result.ToArray();
    }
}
