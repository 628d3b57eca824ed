using System.Diagnostics;
using Pgark.Cli.Commands.Recovery;
using Pgark.Cluster;
using Pgark.Recovery;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Cli.Commands;

/// <summary>What the point-in-time restore did and how long each part took.</summary>
internal sealed record DemoRestore(RecoveryPlan Plan, PointInTimeRestoreResult Result, LocalCluster Server, TimeSpan Restore, TimeSpan Replay);

/// <summary>
/// <c>pgark restore --target-xid X --exclusive</c> and a server start, in-process: plan against the repository, restore the
/// planned backup, let PostgreSQL fetch the archived WAL through <c>pgark wal get</c> and stop just before the mistake.
/// </summary>
internal static class DemoPointInTime
{
    public static async Task<DemoRestore> RunAsync(CliContext context, Repository.Repository repository, string repositoryDirectory, uint xid,
        DemoScratch scratch, LocalCluster source, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        RecoveryPlan plan = await RepositoryRecovery.PlanAsync(repository, RecoveryTarget.AtXid(xid, inclusive: false), TimelineChoice.Latest,
            cancellationToken: cancellationToken).ConfigureAwait(false);

        // restore_command runs this very program (the running pgark CLI) as the server's account.
        string target = Path.Combine(scratch.NewDirectory("pgark-demo-pitr-"), "data");
        string restoreCommand = RestoreCommandLine.For(PgarkExecutable.Resolve(context), repositoryDirectory);
        PointInTimeRestoreResult result = await new PointInTimeRestore(repository, new PointInTimeRestoreOptions(target, restoreCommand))
            .RunAsync(plan, cancellationToken).ConfigureAwait(false);
        TimeSpan restore = clock.Elapsed;

        // Replay: from the server's start until it reached the target and was promoted (pg_is_in_recovery() turns false).
        clock.Restart();
        LocalCluster server = await scratch.StartRestoredAsync(target, source, cancellationToken).ConfigureAwait(false);
        await UntilPromotedAsync(server, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        return new DemoRestore(plan, result, server, restore, clock.Elapsed);
    }

    /// <summary>Polls pg_is_in_recovery() with a short growing pause; a server that exits fails with its log.</summary>
    private static async Task UntilPromotedAsync(LocalCluster server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ConnectionSettings settings = ConnectionSettings.Parse(server.ConnInfo(), ReplicationMode.None, new Dictionary<string, string?>());
        var elapsed = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            if (!server.IsRunning)
                throw new LocalClusterException($"the restored server exited during recovery; log:\n{server.ReadLogTail()}");
            try
            {
                await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
                if ((await connection.QueryTextAsync("SELECT pg_is_in_recovery()::text", cancellationToken).ConfigureAwait(false)).Scalar == "false")
                    return;
            }
            catch (Exception e) when (e is PgConnectionException or PgServerException or IOException)
            {
                // between startup phases: look again
            }
            if (elapsed.Elapsed > timeout)
                throw new LocalClusterException($"recovery did not finish within {timeout.TotalSeconds:0} s; log:\n{server.ReadLogTail()}");
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 100));
        }
    }
}
