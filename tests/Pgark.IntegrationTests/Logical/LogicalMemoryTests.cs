using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Logical;

/// <summary>
/// Memory is bounded by configuration, not by table size: pgark's CLI, in a process of its own whose managed heap is capped
/// (DOTNET_GCHeapHardLimit), backs up and restores one table whose COPY text is more than three times that cap. A data path
/// that held a table, or any share of it that grows with the table, runs out of memory and exits non-zero. The repository
/// is made with 1 MiB packs (the configuration that bounds the backup's pack buffer; the default is 32 MiB).
/// </summary>
public sealed partial class LogicalMemoryTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const long HeapLimit = 48L << 20;

    [Fact]
    public async Task A_table_of_more_than_three_times_the_heap_limit_backs_up_and_restores_within_it()
    {
        var cluster = fixture.Cluster;
        await cluster.ExecuteAsync("CREATE DATABASE memory");
        await cluster.ExecuteAsync("""
            CREATE TABLE wide (id int PRIMARY KEY, a text, b text);
            INSERT INTO wide SELECT g, md5(g::text), repeat(md5((g * 7)::text), 3) FROM generate_series(1, 1200000) g;
            """, "memory");
        string root = Directory.CreateTempSubdirectory("pgark-logical-memory-").FullName;
        try
        {
            await RunAsync(null, "init", "--repo", root, "--pack-size", "1");
            string backup = await RunAsync(HeapLimit, "backup", "--kind", "logical", "--repo", root, "--db", cluster.ConnInfo("memory"), "--jobs", "2");
            long copyBytes = long.Parse(CopyBytes().Match(backup).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(copyBytes > 3 * HeapLimit, $"the table's COPY text is only {copyBytes} bytes; the test needs more than 3x the heap limit");
            string snapshot = SnapshotId().Match(backup).Groups[1].Value;

            await RunAsync(HeapLimit, "restore", "--kind", "logical", "--repo", root, "--backup", snapshot, "--db", cluster.ConnInfo("postgres"),
                "--create-db", "memory_restored", "--jobs", "2");

            Assert.Equal(1_200_000L, await cluster.ScalarAsync<long>("SELECT count(*) FROM wide", "memory_restored"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Runs pgark (PGARK_BIN, else the CLI built beside the tests), with the heap capped when a limit is given.</summary>
    private static async Task<string> RunAsync(long? heapLimit, params string[] args)
    {
        string program = Environment.GetEnvironmentVariable("PGARK_BIN") is { Length: > 0 } published ? published
            : Path.Combine(AppContext.BaseDirectory, "Pgark.Cli");
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["HOME"] = "/nonexistent-pgark-home";
        if (heapLimit is { } limit)
            start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + limit.ToString("x", CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pgark {args[0]} exited with {process.ExitCode} under a {heapLimit} byte heap limit: {error}");
        return await output;
    }

    [GeneratedRegex(@"rows, (\d+) bytes of COPY text")]
    private static partial Regex CopyBytes();

    [GeneratedRegex(@"^snapshot: +([0-9a-f]+) \(", RegexOptions.Multiline)]
    private static partial Regex SnapshotId();
}
