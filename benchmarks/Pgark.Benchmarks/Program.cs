using BenchmarkDotNet.Running;
using Pgark.Benchmarks.Wal;

namespace Pgark.Benchmarks;

internal static class Program
{
    // Stopwatch modes (a first argument naming one) run by themselves; everything else goes to BenchmarkDotNet.
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == WalIngestRun.Mode)
            return WalIngestRun.RunAsync(args).GetAwaiter().GetResult();
        if (args.Length > 0 && args[0] == Repository.IngestRun.Mode)
            return Repository.IngestRun.RunAsync(args).GetAwaiter().GetResult();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
