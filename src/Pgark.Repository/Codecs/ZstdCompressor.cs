using System.Buffers;

namespace Pgark.Repository.Codecs;

/// <summary>
/// A reusable zstd compression context (ZSTD_CCtx). Reusing one avoids re-allocating zstd's match tables for every
/// chunk, which is most of the cost of compressing small inputs. Frames always carry their content size (and, when
/// <see cref="Checksum"/> is on, zstd's XXH64-based content checksum).
/// </summary>
/// <remarks>Not thread-safe: use one per thread (the static <see cref="Zstd"/> methods keep one per thread for you).</remarks>
public sealed partial class ZstdCompressor : IDisposable
{
    private readonly ZstdCompressionContextHandle _context;
    private int _level;

    /// <param name="level">
    /// zstd level: negative is faster, 3 is zstd's default, up to <see cref="Zstd.MaxLevel"/>; validated against the
    /// loaded libzstd.
    /// </param>
    /// <param name="checksum">Write zstd's 4-byte content checksum into each frame (ZSTD_c_checksumFlag).</param>
    /// <param name="largeInputParameters">
    /// Compress every frame with the match-finder parameters the level has for large inputs (what the zstd command line
    /// uses on a big file), shrunk by zstd to each frame's size, instead of the level's rows for inputs of at most
    /// 16, 128 or 256 KiB. For chunk-sized frames those rows are slower (level 3 at most 256 KiB uses minimum matches of
    /// 4 bytes instead of 5). See <see cref="LargeInputParameters"/>.
    /// </param>
    public ZstdCompressor(int level = Zstd.DefaultLevel, bool checksum = false, bool largeInputParameters = false)
    {
        ZstdLibrary.ValidateLevel(level);
        _context = ZstdNative.CreateCompressionContext();
        if (_context.IsInvalid)
        {
            throw new OutOfMemoryException("ZSTD_createCCtx returned NULL");
        }

        SetParameter(ZstdNative.ContentSizeFlagParameter, 1);
        SetParameter(ZstdNative.ChecksumFlagParameter, checksum ? 1 : 0);
        LargeInputParameters = largeInputParameters;
        ApplyLevel(level);
        Checksum = checksum;
    }

    /// <summary>Whether frames use the level's large-input parameters whatever their size (see the constructor).</summary>
    public bool LargeInputParameters { get; }

    /// <summary>Whether frames carry zstd's content checksum.</summary>
    public bool Checksum { get; }

    /// <summary>Compression level for the next frame; validated on set.</summary>
    public int Level
    {
        get => _level;
        set
        {
            if (value != _level)
            {
                ZstdLibrary.ValidateLevel(value);
                ApplyLevel(value);
            }
        }
    }

    /// <summary>Compresses <paramref name="source"/> as one frame; returns bytes written. Throws if it does not fit.</summary>
    public int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        return ZstdThrowHelper.CheckSize(CompressCore(source, destination), "compression");
    }

    /// <summary>
    /// Compresses <paramref name="source"/> as one frame, or returns false when the frame would not fit in
    /// <paramref name="destination"/> (handy for "store raw when zstd does not help" with a source-sized buffer).
    /// </summary>
    public bool TryCompress(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten)
    {
        nuint result = CompressCore(source, destination);
        if (ZstdNative.IsError(result) != 0)
        {
            if (ZstdNative.GetErrorCode(result) == ZstdThrowHelper.DestinationTooSmallCode)
            {
                // ZSTD_compress2 leaves the context mid-frame on failure; start the next call clean.
                Reset();
                bytesWritten = 0;
                return false;
            }

            ZstdThrowHelper.ThrowZstdError(result, "compression");
        }

        bytesWritten = (int)result;
        return true;
    }

    /// <summary>Abandons any frame in progress; the level and checksum setting are kept.</summary>
    public void Reset()
    {
        ZstdThrowHelper.Check(ZstdNative.ResetCompressionContext(_context, ZstdNative.ResetSessionOnly), "reset");
    }

    public void Dispose() => _context.Dispose();

    private unsafe nuint CompressCore(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            return ZstdNative.Compress2(_context, dst, (nuint)destination.Length, src, (nuint)source.Length);
        }
    }

    private void ApplyLevel(int level)
    {
        // Explicit parameters override the level's own choice; all seven are set again for a new level.
        SetParameter(ZstdNative.CompressionLevelParameter, level);
        _level = level;
        if (LargeInputParameters && ZstdLibrary.LargeInputParameters(level) is { } pinned)
        {
            SetParameter(ZstdNative.WindowLogParameter, (int)pinned.WindowLog);
            SetParameter(ZstdNative.HashLogParameter, (int)pinned.HashLog);
            SetParameter(ZstdNative.ChainLogParameter, (int)pinned.ChainLog);
            SetParameter(ZstdNative.SearchLogParameter, (int)pinned.SearchLog);
            SetParameter(ZstdNative.MinMatchParameter, (int)pinned.MinMatch);
            SetParameter(ZstdNative.TargetLengthParameter, (int)pinned.TargetLength);
            SetParameter(ZstdNative.StrategyParameter, pinned.Strategy);
        }
    }

    private void SetParameter(int parameter, int value)
    {
        ZstdThrowHelper.Check(ZstdNative.SetCompressionParameter(_context, parameter, value), "parameter setting");
    }
}
