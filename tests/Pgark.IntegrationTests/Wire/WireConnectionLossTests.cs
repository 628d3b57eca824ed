using System.Diagnostics;
using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.IntegrationTests.Wire;

/// <summary>A server that dies or ends the session mid-query gives a clean, prompt PgConnectionException(Lost).</summary>
public sealed class WireConnectionLossTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan s_prompt = TimeSpan.FromSeconds(10);
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Sigkill_of_the_server_during_a_query_is_a_lost_connection()
    {
        await using LocalCluster victim = await LocalCluster.StartAsync();
        await using PgConnection connection = await victim.OpenWireAsync();
        Task<PgTextResult> sleeping = connection.QueryTextAsync("SELECT pg_sleep(60)");
        await WaitUntilSleepingAsync(victim, connection.ProcessId);

        await victim.KillAsync();
        var elapsed = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<PgConnectionException>(() => sleeping);

        Assert.Equal(PgConnectionFailure.Lost, error.Failure);
        Assert.True(elapsed.Elapsed < s_prompt, $"noticed the loss only after {elapsed.Elapsed}");
        Assert.True(connection.IsBroken);
        var again = await Assert.ThrowsAsync<PgConnectionException>(() => connection.QueryTextAsync("SELECT 1"));
        Assert.Equal(PgConnectionFailure.Lost, again.Failure);
    }

    [Fact]
    public async Task Pg_terminate_backend_during_a_query_is_a_lost_connection_with_the_servers_reason()
    {
        await using PgConnection connection = await _cluster.OpenWireAsync();
        Task<PgTextResult> sleeping = connection.QueryTextAsync("SELECT pg_sleep(60)");
        await WaitUntilSleepingAsync(_cluster, connection.ProcessId);

        Assert.True(await _cluster.ScalarAsync<bool>($"SELECT pg_terminate_backend({connection.ProcessId})"));
        var elapsed = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<PgConnectionException>(() => sleeping);

        Assert.Equal(PgConnectionFailure.Lost, error.Failure);
        Assert.True(elapsed.Elapsed < s_prompt, $"noticed the loss only after {elapsed.Elapsed}");
        Assert.Contains("terminating connection due to administrator command", error.ToString());
        Assert.True(connection.IsBroken);
    }

    /// <summary>Waits (bounded) until the backend is inside pg_sleep, as pg_stat_activity shows it.</summary>
    private static async Task WaitUntilSleepingAsync(LocalCluster cluster, int backendPid)
    {
        await using var observer = new NpgsqlConnection(cluster.NpgsqlConnectionString());
        await observer.OpenAsync();
        var elapsed = Stopwatch.StartNew();
        while (await observer.ScalarAsync<object>(
                   $"SELECT wait_event FROM pg_stat_activity WHERE pid = {backendPid}") as string != "PgSleep")
        {
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(30), "the backend never reached pg_sleep");
            await Task.Delay(10);
        }
    }
}
