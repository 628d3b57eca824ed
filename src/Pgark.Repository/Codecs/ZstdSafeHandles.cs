using System.Runtime.InteropServices;

namespace Pgark.Repository.Codecs;

/// <summary>Owns one ZSTD_CCtx; released with ZSTD_freeCCtx.</summary>
internal sealed class ZstdCompressionContextHandle : SafeHandle
{
    // The LibraryImport generator constructs the handle for ZSTD_createCCtx's return value.
    public ZstdCompressionContextHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        // ZSTD_freeCCtx only fails for a context that is mid-way in a static allocation, which pgark never makes.
        return ZstdNative.IsError(ZstdNative.FreeCompressionContext(handle)) == 0;
    }
}

/// <summary>Owns one ZSTD_DCtx (which is also a ZSTD_DStream); released with ZSTD_freeDCtx.</summary>
internal sealed class ZstdDecompressionContextHandle : SafeHandle
{
    public ZstdDecompressionContextHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        return ZstdNative.IsError(ZstdNative.FreeDecompressionContext(handle)) == 0;
    }
}
