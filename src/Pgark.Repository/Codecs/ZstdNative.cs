using System.Runtime.InteropServices;

namespace Pgark.Repository.Codecs;

/// <summary>
/// The slice of libzstd's stable API (zstd.h, v1.4.0+) that pgark calls. Buffers go in as raw pointers from
/// <c>fixed</c> spans so the calls marshal nothing; contexts go in as SafeHandles so a context can never be
/// freed while a call is using it.
/// </summary>
/// <remarks>
/// Never call these directly: go through <see cref="ZstdLibrary.EnsureLoaded"/> first (the contexts' constructors
/// do), which installs the resolver and turns a missing library into <see cref="ZstdLibraryNotFoundException"/>.
/// </remarks>
internal static unsafe partial class ZstdNative
{
    /// <summary>The soname pgark links against; <see cref="ZstdLibrary"/> also resolves the unversioned names.</summary>
    internal const string LibraryName = "libzstd.so.1";

    // ZSTD_cParameter / ZSTD_dParameter values (zstd.h, stable since v1.4.0).
    internal const int CompressionLevelParameter = 100; // ZSTD_c_compressionLevel
    internal const int ContentSizeFlagParameter = 200;  // ZSTD_c_contentSizeFlag
    internal const int ChecksumFlagParameter = 201;     // ZSTD_c_checksumFlag
    internal const int WindowLogMaxParameter = 100;     // ZSTD_d_windowLogMax
    internal const int WindowLogParameter = 101;        // ZSTD_c_windowLog .. ZSTD_c_strategy: 101..107
    internal const int HashLogParameter = 102;
    internal const int ChainLogParameter = 103;
    internal const int SearchLogParameter = 104;
    internal const int MinMatchParameter = 105;
    internal const int TargetLengthParameter = 106;
    internal const int StrategyParameter = 107;

    // ZSTD_ResetDirective.
    internal const int ResetSessionOnly = 1;
    internal const int ResetSessionAndParameters = 3;

    // ZSTD_EndDirective.
    internal const int EndContinue = 0;
    internal const int EndFrame = 2;

    // ZSTD_getFrameContentSize sentinels.
    internal const ulong ContentSizeUnknown = ulong.MaxValue;      // ZSTD_CONTENTSIZE_UNKNOWN (0ULL - 1)
    internal const ulong ContentSizeError = ulong.MaxValue - 1;    // ZSTD_CONTENTSIZE_ERROR   (0ULL - 2)

    /// <summary>ZSTD_inBuffer / ZSTD_outBuffer: the same three-word layout for both directions.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Buffer
    {
        public void* Pointer;
        public nuint Size;
        public nuint Position;
    }

    /// <summary>ZSTD_compressionParameters (zstd.h; layout unchanged since v1.0).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct CompressionParameters
    {
        public uint WindowLog;
        public uint ChainLog;
        public uint HashLog;
        public uint SearchLog;
        public uint MinMatch;
        public uint TargetLength;
        public int Strategy;
    }

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_versionNumber")]
    internal static partial uint VersionNumber();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_minCLevel")]
    internal static partial int MinCompressionLevel();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_maxCLevel")]
    internal static partial int MaxCompressionLevel();

    // zstd.h's "advanced" section (exported by the shared library since v1.0, not frozen): callers fall back when missing.
    [LibraryImport(LibraryName, EntryPoint = "ZSTD_getCParams")]
    internal static partial CompressionParameters GetCompressionParameters(int level, ulong estimatedSourceSize, nuint dictionarySize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_compressBound")]
    internal static partial nuint CompressBound(nuint sourceSize);

    // The three error helpers only read a static table: no GC transition needed.
    [LibraryImport(LibraryName, EntryPoint = "ZSTD_isError")]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvSuppressGCTransition)])]
    internal static partial uint IsError(nuint code);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_getErrorCode")]
    internal static partial int GetErrorCode(nuint code);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_getErrorName")]
    internal static partial byte* GetErrorName(nuint code);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_getFrameContentSize")]
    internal static partial ulong GetFrameContentSize(byte* source, nuint sourceSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_CStreamInSize")]
    internal static partial nuint CompressStreamInSize();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_CStreamOutSize")]
    internal static partial nuint CompressStreamOutSize();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_DStreamInSize")]
    internal static partial nuint DecompressStreamInSize();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_DStreamOutSize")]
    internal static partial nuint DecompressStreamOutSize();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_createCCtx")]
    internal static partial ZstdCompressionContextHandle CreateCompressionContext();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_freeCCtx")]
    internal static partial nuint FreeCompressionContext(nint context);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_CCtx_setParameter")]
    internal static partial nuint SetCompressionParameter(ZstdCompressionContextHandle context, int parameter, int value);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_CCtx_setPledgedSrcSize")]
    internal static partial nuint SetPledgedSourceSize(ZstdCompressionContextHandle context, ulong pledgedSourceSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_CCtx_reset")]
    internal static partial nuint ResetCompressionContext(ZstdCompressionContextHandle context, int directive);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_compress2")]
    internal static partial nuint Compress2(
        ZstdCompressionContextHandle context, byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_compressStream2")]
    internal static partial nuint CompressStream2(
        ZstdCompressionContextHandle context, Buffer* output, Buffer* input, int endDirective);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_createDCtx")]
    internal static partial ZstdDecompressionContextHandle CreateDecompressionContext();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_freeDCtx")]
    internal static partial nuint FreeDecompressionContext(nint context);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_DCtx_setParameter")]
    internal static partial nuint SetDecompressionParameter(ZstdDecompressionContextHandle context, int parameter, int value);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_DCtx_reset")]
    internal static partial nuint ResetDecompressionContext(ZstdDecompressionContextHandle context, int directive);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_decompressDCtx")]
    internal static partial nuint DecompressDCtx(
        ZstdDecompressionContextHandle context, byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize);

    // ZSTD_DStream is the same object as ZSTD_DCtx since v1.3.0.
    [LibraryImport(LibraryName, EntryPoint = "ZSTD_decompressStream")]
    internal static partial nuint DecompressStream(ZstdDecompressionContextHandle context, Buffer* output, Buffer* input);
}
