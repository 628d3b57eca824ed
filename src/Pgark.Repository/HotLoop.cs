using System.Runtime.CompilerServices;

namespace Pgark.Repository;

/// <summary>
/// How pgark's hot loops (the BLAKE3 kernels, FastCDC's gear scan) are compiled. Under tiered compilation a method first
/// runs as unoptimized tier-0 code, and these kernels are called a few times each on very large inputs, so they are marked
/// AggressiveOptimization: optimized from their first call (measured: 1.6 of 5 CPU-s of a backup in tier-0 copies). The
/// single-file build instead precompiles them into its ReadyToRun image (for AVX2 machines) and runs without tiering, so
/// there they carry no mark: a marked method is never precompiled and was JIT-compiled by every command at start-up
/// (about 70 ms of each restore, and of every <c>wal get</c> PostgreSQL runs as its restore_command).
/// </summary>
internal static class HotLoop
{
#if PGARK_PRECOMPILED
    public const MethodImplOptions Optimization = 0;
#else
    public const MethodImplOptions Optimization = MethodImplOptions.AggressiveOptimization;
#endif
}
