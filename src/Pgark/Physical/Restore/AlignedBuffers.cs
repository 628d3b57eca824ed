using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Pgark.Physical.Restore;

/// <summary>
/// The page-aligned native buffers direct writes need (a managed array's address is neither aligned nor fixed), of
/// <see cref="Size"/> bytes each, reused across the files of one restore and freed with it. At most as many exist as
/// were rented at once: two per file being written directly.
/// </summary>
internal sealed class AlignedBuffers : IDisposable
{
    /// <summary>One direct write: large enough that the per-write cost vanishes, small enough to keep two per file.</summary>
    public const int Size = 1 << 20;

    private readonly ConcurrentBag<nint> _free = [];
    private readonly ConcurrentBag<nint> _all = [];

    /// <summary>A buffer's address.</summary>
    public unsafe nint Rent()
    {
        if (_free.TryTake(out nint buffer))
            return buffer;
        var fresh = (nint)NativeMemory.AlignedAlloc(Size, DirectIo.Alignment);
        _all.Add(fresh);
        return fresh;
    }

    public void Return(nint buffer) => _free.Add(buffer);

    /// <summary>Frees every buffer; only after every write that used one has ended.</summary>
    public unsafe void Dispose()
    {
        while (_all.TryTake(out nint buffer))
            NativeMemory.AlignedFree((void*)buffer);
        _free.Clear();
    }
}
