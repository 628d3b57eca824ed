using Pgark.Cli;
using Pgark.Cli.Commands.Ping;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Recovery;

/// <summary>
/// pgark's CLI in-process, and restored clusters started with LocalCluster. restore_command runs the Pgark.Cli apphost
/// built beside the tests (PgarkExecutable finds it), as the server's account.
/// </summary>
internal static class RecoveryCli
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(TextWriter.Synchronized(output), TextWriter.Synchronized(error),
            name => name == "HOME" ? "/nonexistent-pgark-home" : Environment.GetEnvironmentVariable(name), new WireServerProbe());
        int code = await CliApp.RunAsync(args, context, CancellationToken.None);
        return new Result(code, output.ToString(), error.ToString());
    }

    public static string NewDataDirectory() => Path.Combine("/tmp", $"pgark-pitr-data-{Guid.NewGuid():N}"[..27]);

    /// <summary>
    /// pgark restore to a target into a new directory, then starts it and waits, by polling pg_is_in_recovery(), until
    /// recovery has reached the target and promoted.
    /// </summary>
    public static async Task<LocalCluster> RestoreAndRecoverAsync(LocalCluster source, string repository, LocalClusterOptions? options,
        params string[] target)
    {
        string data = NewDataDirectory();
        Result restored = await RunAsync(["restore", "--repo", repository, "--target", data, .. target]);
        Assert.True(restored.ExitCode == 0, $"restore failed ({restored.ExitCode}): {restored.Error}{restored.Out}");
        LocalCluster cluster = LocalCluster.Adopt(data, (options ?? new LocalClusterOptions()) with { BinDirectory = source.Installation.BinDirectory });
        try
        {
            await cluster.StartAsync();
            await WaitUntilPromotedAsync(cluster);
            return cluster;
        }
        catch
        {
            string log = cluster.ReadLogTail(60);
            await cluster.DisposeAsync();
            throw new Xunit.Sdk.XunitException($"restored cluster did not recover: log:\n{log}");
        }
    }

    public static async Task WaitUntilPromotedAsync(LocalCluster cluster)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (await cluster.ScalarAsync<bool>("SELECT pg_is_in_recovery()"))
        {
            Assert.True(DateTime.UtcNow < deadline, "recovery did not end within 120 s:\n" + cluster.ReadLogTail(40));
            await Task.Delay(25); // the poll interval of the condition above, not a guess at how long recovery takes
        }
    }

    public static Task<long> CountAsync(LocalCluster cluster, string where = "true")
        => cluster.ScalarAsync<long>($"SELECT count(*) FROM orders WHERE {where}");
}
