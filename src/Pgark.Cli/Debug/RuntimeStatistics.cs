using System.Diagnostics;
using System.Runtime;
using System.Runtime.CompilerServices;

namespace Pgark.Cli.Debug;

/// <summary>
/// With PGARK_RUNTIME_STATS=1 pgark prints, when it exits, what the .NET runtime spent on its behalf: collections per
/// generation, GC pause, bytes allocated, methods JIT-compiled and the time that took, process CPU, and the exceptions
/// thrown (caught or not) by type and throwing method. A profiler sees the runtime inside the single-file binary as one
/// unsymbolized blob; these figures tell GC from JIT from pgark's own work, and an exception on a path that succeeds is
/// work (and, the first time, JIT of the runtime's exception machinery) that a normal run should not do.
/// </summary>
internal static class RuntimeStatistics
{
    public const string Variable = "PGARK_RUNTIME_STATS";

    private static readonly Dictionary<string, int> s_exceptions = [];

    public static bool Requested => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Starts counting exceptions as they are thrown (first chance), when the statistics were asked for.</summary>
    public static void Start()
    {
        if (!Requested)
            return;
        AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
        {
            var frame = new StackTrace(e.Exception, fNeedFileInfo: false).GetFrame(0);
            var thrower = frame is null ? null : DiagnosticMethodInfo.Create(frame);
            var key = $"{e.Exception.GetType().Name} in {thrower?.DeclaringTypeName}.{thrower?.Name}";
            lock (s_exceptions)
                s_exceptions[key] = s_exceptions.GetValueOrDefault(key) + 1;
        };
    }

    public static void Print(TextWriter error)
    {
        using var process = Process.GetCurrentProcess();
        error.WriteLine(
            $"runtime:    gc {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen0/1/2), " +
            $"pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms, allocated {GC.GetTotalAllocatedBytes() / 1048576.0:F1} MiB, " +
            $"heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:F1} MiB ({(GCSettings.IsServerGC ? "server" : "workstation")}); " +
            $"jit {JitInfo.GetCompiledMethodCount()} methods in {JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms; " +
            $"cpu {process.UserProcessorTime.TotalSeconds:F2} user + {process.PrivilegedProcessorTime.TotalSeconds:F2} system s");
        lock (s_exceptions)
        {
            error.WriteLine($"exceptions: {s_exceptions.Values.Sum()} thrown" + (s_exceptions.Count == 0 ? "" : ": "
                + string.Join(", ", s_exceptions.OrderByDescending(e => e.Value).Select(e => $"{e.Key} x{e.Value}"))));
        }
    }
}
