using System.Diagnostics;
using Pgark.Cluster;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Drill;

/// <summary>
/// Waits for the condition "recovery is over": pg_is_in_recovery() is false, polled with a short growing pause. A
/// server that exits meanwhile (a recovery target it could not reach is FATAL on PostgreSQL 14+) fails with its log.
/// </summary>
internal static class RecoveryWait
{
    public static async Task UntilPromotedAsync(ScratchServer server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            if (!server.Cluster.IsRunning)
                throw new LocalClusterException($"the server exited during recovery; log:\n{server.Cluster.ReadLogTail()}");
            if (await IsPromotedAsync(server, cancellationToken).ConfigureAwait(false))
                return;
            if (elapsed.Elapsed > timeout)
                throw new LocalClusterException($"recovery did not finish within {timeout.TotalSeconds:0} s; log:\n{server.Cluster.ReadLogTail()}");
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 200));
        }
    }

    private static async Task<bool> IsPromotedAsync(ScratchServer server, CancellationToken cancellationToken)
    {
        try
        {
            await using PgConnection connection = await server.OpenAsync("postgres", cancellationToken).ConfigureAwait(false);
            return (await connection.QueryTextAsync("SELECT pg_catalog.pg_is_in_recovery()::text", cancellationToken)
                .ConfigureAwait(false)).Scalar == "false";
        }
        catch (Exception e) when (e is PgConnectionException or PgServerException or IOException)
        {
            return false; // shutting down after a failed recovery, or between startup phases: the loop looks again
        }
    }

    /// <summary>Where replay ended (pg_last_wal_replay_lsn() keeps its value after promotion); null if the server does not say.</summary>
    public static async Task<string?> ReplayedLsnAsync(ScratchServer server, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await server.OpenAsync("postgres", cancellationToken).ConfigureAwait(false);
        return (await connection.QueryTextAsync("SELECT pg_catalog.pg_last_wal_replay_lsn()::text", cancellationToken).ConfigureAwait(false)).Scalar;
    }
}
