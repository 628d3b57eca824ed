using System.Diagnostics;

namespace Pgark.Tests.Cli;

/// <summary>PGARK_RUNTIME_STATS=1: what the runtime did for a command, printed at exit, only when asked for.</summary>
public sealed class RuntimeStatisticsTests
{
    [Fact]
    public async Task Statistics_count_exceptions_thrown_and_caught_on_the_way_to_success()
    {
        string root = Directory.CreateTempSubdirectory("pgark-stats-").FullName;
        try
        {
            string repo = Path.Combine(root, "repo");
            Assert.Equal(0, (await RunAsync(["init", "--repo", repo], stats: false)).Code);

            // A new repository has no snapshots/ directory: listing it is a DirectoryNotFoundException the store catches.
            var (code, error) = await RunAsync(["snapshots", "--repo", repo], stats: true);
            Assert.Equal(0, code);
            string[] lines = error.Split('\n');
            Assert.Single(lines, l => l.StartsWith("runtime:    gc ", StringComparison.Ordinal));
            string exceptions = Assert.Single(lines, l => l.StartsWith("exceptions: ", StringComparison.Ordinal));
            Assert.Contains("DirectoryNotFoundException in ", exceptions);

            var (quietCode, quiet) = await RunAsync(["snapshots", "--repo", repo], stats: false);
            Assert.Equal(0, quietCode);
            Assert.DoesNotContain("exceptions:", quiet);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<(int Code, string Error)> RunAsync(string[] args, bool stats)
    {
        ProcessStartInfo start = PgarkBinary.StartInfo(args);
        start.Environment["PGARK_RUNTIME_STATS"] = stats ? "1" : null;
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await output;
        await process.WaitForExitAsync();
        return (process.ExitCode, error);
    }
}
