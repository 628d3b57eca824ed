using System.Buffers;

namespace Pgark.Repository.Codecs;

// Streaming compression (ZSTD_compressStream2): inputs of any size through bounded buffers.
public sealed partial class ZstdCompressor
{
    /// <summary>
    /// Declares the exact size of the next streamed frame so zstd writes it into the frame header and sizes its
    /// window to match. Call before the first <see cref="CompressStream"/> of the frame.
    /// </summary>
    public void SetPledgedSourceSize(long sourceSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceSize);
        ZstdThrowHelper.Check(ZstdNative.SetPledgedSourceSize(_context, (ulong)sourceSize), "pledged size setting");
    }

    /// <summary>
    /// Feeds part of a frame. With <paramref name="isFinalBlock"/> false, returns <see cref="OperationStatus.Done"/>
    /// once all of <paramref name="source"/> is consumed (zstd may still hold some of it internally), or
    /// <see cref="OperationStatus.DestinationTooSmall"/> when <paramref name="destination"/> filled first: call again
    /// with the rest. With <paramref name="isFinalBlock"/> true, returns Done only when the frame is complete and
    /// fully flushed; the next call starts a new frame.
    /// </summary>
    public unsafe OperationStatus CompressStream(
        ReadOnlySpan<byte> source, Span<byte> destination, out int bytesConsumed, out int bytesWritten, bool isFinalBlock)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var input = new ZstdNative.Buffer { Pointer = src, Size = (nuint)source.Length };
            var output = new ZstdNative.Buffer { Pointer = dst, Size = (nuint)destination.Length };
            int directive = isFinalBlock ? ZstdNative.EndFrame : ZstdNative.EndContinue;
            nuint remaining = ZstdThrowHelper.Check(
                ZstdNative.CompressStream2(_context, &output, &input, directive), "streaming compression");
            bytesConsumed = (int)input.Position;
            bytesWritten = (int)output.Position;

            // For ZSTD_e_end the return value is what is still to flush; for ZSTD_e_continue it is only a size hint.
            bool done = isFinalBlock ? remaining == 0 : input.Position == input.Size;
            return done ? OperationStatus.Done : OperationStatus.DestinationTooSmall;
        }
    }

    /// <summary>
    /// Compresses all of <paramref name="source"/> into <paramref name="destination"/> as one frame using two pooled
    /// buffers of zstd's recommended streaming sizes (about 128 KiB each), whatever the input size.
    /// </summary>
    public async ValueTask CompressAsync(Stream source, Stream destination, CancellationToken cancellationToken = default)
    {
        byte[] input = ArrayPool<byte>.Shared.Rent((int)ZstdNative.CompressStreamInSize());
        byte[] output = ArrayPool<byte>.Shared.Rent((int)ZstdNative.CompressStreamOutSize());
        try
        {
            bool final;
            do
            {
                int read = await source.ReadAsync(input, cancellationToken).ConfigureAwait(false);
                final = read == 0;
                int offset = 0;
                OperationStatus status;
                do
                {
                    status = CompressStream(input.AsSpan(offset, read - offset), output, out int consumed, out int written, final);
                    offset += consumed;
                    await destination.WriteAsync(output.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
                }
                while (status != OperationStatus.Done);
            }
            while (!final);
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
