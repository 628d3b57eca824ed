using System.Buffers;

namespace Pgark.Repository.Codecs;

// Streaming decompression (ZSTD_decompressStream): frames of any size through bounded buffers.
public sealed partial class ZstdDecompressor
{
    /// <summary>
    /// Decodes as much as fits. Returns <see cref="OperationStatus.Done"/> when a frame has been completely decoded
    /// and flushed (more frames may follow in the rest of the input), <see cref="OperationStatus.DestinationTooSmall"/>
    /// when <paramref name="destination"/> filled up, and <see cref="OperationStatus.NeedMoreData"/> when all input
    /// was consumed inside a frame. Input that ends while the status is NeedMoreData is truncated.
    /// </summary>
    public unsafe OperationStatus DecompressStream(
        ReadOnlySpan<byte> source, Span<byte> destination, out int bytesConsumed, out int bytesWritten)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var input = new ZstdNative.Buffer { Pointer = src, Size = (nuint)source.Length };
            var output = new ZstdNative.Buffer { Pointer = dst, Size = (nuint)destination.Length };
            nuint hint = ZstdThrowHelper.Check(
                ZstdNative.DecompressStream(_context, &output, &input), "streaming decompression");
            bytesConsumed = (int)input.Position;
            bytesWritten = (int)output.Position;
            if (hint == 0)
            {
                return OperationStatus.Done;
            }

            return output.Position == output.Size ? OperationStatus.DestinationTooSmall : OperationStatus.NeedMoreData;
        }
    }

    /// <summary>
    /// Decompresses all frames of <paramref name="source"/> into <paramref name="destination"/> through two pooled
    /// buffers of zstd's recommended streaming sizes. Throws <see cref="ZstdException"/> on corrupt or truncated input.
    /// </summary>
    public async ValueTask DecompressAsync(Stream source, Stream destination, CancellationToken cancellationToken = default)
    {
        byte[] input = ArrayPool<byte>.Shared.Rent((int)ZstdNative.DecompressStreamInSize());
        byte[] output = ArrayPool<byte>.Shared.Rent((int)ZstdNative.DecompressStreamOutSize());
        try
        {
            bool insideFrame = false;
            bool sawInput = false;
            int read;
            while ((read = await source.ReadAsync(input, cancellationToken).ConfigureAwait(false)) > 0)
            {
                sawInput = true;
                int offset = 0;
                OperationStatus status;
                do
                {
                    status = DecompressStream(input.AsSpan(offset, read - offset), output, out int consumed, out int written);
                    offset += consumed;
                    await destination.WriteAsync(output.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
                }
                while (offset < read || status == OperationStatus.DestinationTooSmall);

                insideFrame = status != OperationStatus.Done;
            }

            if (insideFrame || !sawInput)
            {
                ZstdThrowHelper.ThrowTruncated(sawInput ? "end of stream" : "empty stream");
            }
        }
        catch
        {
            Reset();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }
}
