using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pgark.Repository.Codecs;

/// <summary>Throws for the zstd codec, kept out of line so the hot methods stay small.</summary>
internal static class ZstdThrowHelper
{
    // zstd_errors.h: ZSTD_error_dstSize_tooSmall. Stable since v1.3.1.
    internal const int DestinationTooSmallCode = 70;

    /// <summary>Returns <paramref name="result"/> as a byte count, or throws the zstd error it encodes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CheckSize(nuint result, string operation)
    {
        if (ZstdNative.IsError(result) != 0)
        {
            ThrowZstdError(result, operation);
        }

        return (int)result;
    }

    /// <summary>Throws if <paramref name="result"/> is a zstd error code; otherwise returns it unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint Check(nuint result, string operation)
    {
        if (ZstdNative.IsError(result) != 0)
        {
            ThrowZstdError(result, operation);
        }

        return result;
    }

    [DoesNotReturn]
    public static void ThrowZstdError(nuint result, string operation) => throw CreateZstdError(result, operation);

    [DoesNotReturn]
    public static void ThrowSizeMismatch(int expected, int actual) =>
        throw new ZstdException("decompression", 0, $"frame holds {actual} bytes but {expected} were expected");

    [DoesNotReturn]
    public static void ThrowTruncated(string where) =>
        throw new ZstdException("decompression", 0, $"input ended inside a frame ({where}); the data is truncated");

    [DoesNotReturn]
    public static void ThrowNotAFrame() =>
        throw new ZstdException("frame header parsing", 0, "not a zstd frame, or its header is truncated");

    [DoesNotReturn]
    public static void ThrowLevelOutOfRange(int level, int min, int max) =>
        throw new ArgumentOutOfRangeException(
            nameof(level),
            level,
            $"zstd compression level {level} is out of range; this libzstd accepts {min} to {max} "
            + "(negative levels are faster, 3 is zstd's default, 19 and above are slow)");

    [DoesNotReturn]
    public static void ThrowVersionTooOld(uint version) =>
        throw ZstdLibraryNotFoundException.TooOld(version);

    [DoesNotReturn]
    public static void ThrowTooLarge(long length) =>
        throw new ArgumentOutOfRangeException(
            nameof(length), length, "zstd one-shot buffers are limited to 2 GiB; use the streaming API for larger data");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe ZstdException CreateZstdError(nuint result, string operation)
    {
        string name = Marshal.PtrToStringUTF8((nint)ZstdNative.GetErrorName(result)) ?? "unknown error";
        return new ZstdException(operation, ZstdNative.GetErrorCode(result), name);
    }
}
