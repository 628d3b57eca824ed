namespace Pgark.Repository.Codecs;

/// <summary>
/// A reusable zstd decompression context (ZSTD_DCtx). Corrupt, truncated or oversized input always throws
/// <see cref="ZstdException"/>; nothing is returned from a frame that did not decode cleanly.
/// </summary>
/// <remarks>Not thread-safe: use one per thread (the static <see cref="Zstd"/> methods keep one per thread for you).</remarks>
public sealed partial class ZstdDecompressor : IDisposable
{
    /// <summary>
    /// Largest window (2^27 = 128 MiB) a streamed frame may ask for; it bounds streaming memory whatever the input
    /// claims. zstd's levels up to 19 use at most 2^23; only --long or level 22 on huge inputs reach 2^27.
    /// </summary>
    public const int DefaultWindowLogMax = 27;

    private readonly ZstdDecompressionContextHandle _context;

    public ZstdDecompressor()
    {
        ZstdLibrary.EnsureLoaded();
        _context = ZstdNative.CreateDecompressionContext();
        if (_context.IsInvalid)
        {
            throw new OutOfMemoryException("ZSTD_createDCtx returned NULL");
        }

        ZstdThrowHelper.Check(
            ZstdNative.SetDecompressionParameter(_context, ZstdNative.WindowLogMaxParameter, DefaultWindowLogMax),
            "parameter setting");
    }

    /// <summary>
    /// Decompresses every frame in <paramref name="source"/>; returns bytes written. Throws
    /// <see cref="ZstdException"/> when the input is corrupt or truncated or does not fit in <paramref name="destination"/>.
    /// </summary>
    public unsafe int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            nuint result = ZstdNative.DecompressDCtx(_context, dst, (nuint)destination.Length, src, (nuint)source.Length);
            return ZstdThrowHelper.CheckSize(result, "decompression");
        }
    }

    /// <summary>
    /// Decompresses <paramref name="source"/> and throws unless it yields exactly <paramref name="destination"/>'s
    /// length: the check for readers that know the plain size from an index.
    /// </summary>
    public void DecompressExact(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = Decompress(source, destination);
        if (written != destination.Length)
        {
            ZstdThrowHelper.ThrowSizeMismatch(destination.Length, written);
        }
    }

    /// <summary>Abandons any streamed frame in progress.</summary>
    public void Reset()
    {
        ZstdThrowHelper.Check(ZstdNative.ResetDecompressionContext(_context, ZstdNative.ResetSessionOnly), "reset");
    }

    public void Dispose() => _context.Dispose();
}
