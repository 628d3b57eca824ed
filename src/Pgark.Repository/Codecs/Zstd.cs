using System.Runtime.CompilerServices;

namespace Pgark.Repository.Codecs;

/// <summary>
/// One-shot zstd through the system libzstd.so.1. Each thread keeps one compression and one decompression context,
/// so after the first call on a thread these methods allocate nothing.
/// </summary>
public static class Zstd
{
    /// <summary>zstd's own default level (ZSTD_CLEVEL_DEFAULT).</summary>
    public const int DefaultLevel = 3;

    [ThreadStatic]
    private static ZstdCompressor? t_compressor;

    [ThreadStatic]
    private static ZstdDecompressor? t_decompressor;

    /// <summary>ZSTD_minCLevel() of the loaded libzstd (the fastest level; -131072 for 1.5.x).</summary>
    public static int MinLevel => ZstdLibrary.MinLevel;

    /// <summary>ZSTD_maxCLevel() of the loaded libzstd (22 for 1.5.x).</summary>
    public static int MaxLevel => ZstdLibrary.MaxLevel;

    /// <summary>ZSTD_versionNumber() of the loaded libzstd, e.g. 10504 for 1.5.4.</summary>
    public static uint VersionNumber => ZstdLibrary.VersionNumber;

    /// <summary>Upper bound of the compressed size of <paramref name="sourceLength"/> bytes (ZSTD_compressBound).</summary>
    /// <remarks>This is zstd.h's ZSTD_COMPRESSBOUND macro, part of its stable API, computed here without a native call.</remarks>
    public static int CompressBound(int sourceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceLength);
        const int SmallInputThreshold = 128 << 10;
        long bound = (long)sourceLength + (sourceLength >> 8)
            + (sourceLength < SmallInputThreshold ? (SmallInputThreshold - sourceLength) >> 11 : 0);
        if (bound > Array.MaxLength)
        {
            ZstdThrowHelper.ThrowTooLarge(sourceLength);
        }

        return (int)bound;
    }

    /// <summary>Compresses into <paramref name="destination"/>, returns bytes written. Negative levels allowed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The level is outside <see cref="MinLevel"/>..<see cref="MaxLevel"/>.</exception>
    /// <exception cref="ZstdException">The frame did not fit; size the destination with <see cref="CompressBound"/>.</exception>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level)
    {
        ZstdCompressor compressor = t_compressor ?? CreateCompressor(level);
        compressor.Level = level;
        return compressor.Compress(source, destination);
    }

    /// <summary>Decompresses a whole frame into <paramref name="destination"/>, returns bytes written; throws on corrupt input.</summary>
    /// <exception cref="ZstdException">Corrupt or truncated input, or the frame does not fit in the destination.</exception>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        return (t_decompressor ?? CreateDecompressor()).Decompress(source, destination);
    }

    /// <summary>Decompresses and throws <see cref="ZstdException"/> unless exactly <paramref name="destination"/>'s length came out.</summary>
    public static void DecompressExact(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        (t_decompressor ?? CreateDecompressor()).DecompressExact(source, destination);
    }

    /// <summary>
    /// The plain size written in the header of the frame starting <paramref name="frame"/> (ZSTD_getFrameContentSize),
    /// or null when the frame was streamed without a pledged size. Throws when this is not a zstd frame header.
    /// </summary>
    public static unsafe long? GetFrameContentSize(ReadOnlySpan<byte> frame)
    {
        ZstdLibrary.EnsureLoaded();
        ulong size;
        fixed (byte* src = frame)
        {
            size = ZstdNative.GetFrameContentSize(src, (nuint)frame.Length);
        }

        if (size == ZstdNative.ContentSizeError || (size > long.MaxValue && size != ZstdNative.ContentSizeUnknown))
        {
            ZstdThrowHelper.ThrowNotAFrame();
        }

        return size == ZstdNative.ContentSizeUnknown ? null : (long)size;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ZstdCompressor CreateCompressor(int level) => t_compressor = new ZstdCompressor(level);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ZstdDecompressor CreateDecompressor() => t_decompressor = new ZstdDecompressor();
}
