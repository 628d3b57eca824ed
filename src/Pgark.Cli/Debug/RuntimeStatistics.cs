using System.Diagnostics;
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Pgark.Cli.Debug;

/// <summary>
/// With PGARK_RUNTIME_STATS=1 pgark prints, when it exits, what the .NET runtime spent on its behalf: collections per
/// generation, GC pause, bytes allocated, methods JIT-compiled and the time that took, and process CPU. A profiler sees
/// the runtime inside the single-file binary as one unsymbolized blob; these figures tell GC from JIT from pgark's own work.
/// </summary>
internal static class RuntimeStatistics
{
    public const string Variable = "PGARK_RUNTIME_STATS";

    public static bool Requested => Environment.GetEnvironmentVariable(Variable) == "1";

    public static void Print(TextWriter error)
    {
        using var process = Process.GetCurrentProcess();
        error.WriteLine(
            $"runtime:    gc {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen0/1/2), " +
            $"pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms, allocated {GC.GetTotalAllocatedBytes() / 1048576.0:F1} MiB, " +
            $"heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:F1} MiB ({(GCSettings.IsServerGC ? "server" : "workstation")}); " +
            $"jit {JitInfo.GetCompiledMethodCount()} methods in {JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms; " +
            $"cpu {process.UserProcessorTime.TotalSeconds:F2} user + {process.PrivilegedProcessorTime.TotalSeconds:F2} system s");
    }
}
