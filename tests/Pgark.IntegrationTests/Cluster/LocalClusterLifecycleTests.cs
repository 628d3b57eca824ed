using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Cluster;

/// <summary>Restart, immediate stop, SIGKILL and reload on one cluster; each test leaves it running.</summary>
public sealed class LocalClusterLifecycleTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const string NotShutDownCleanly = "database system was not properly shut down; automatic recovery in progress";
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Fast_restart_keeps_the_port_and_the_data_and_needs_no_recovery()
    {
        await _cluster.ExecuteAsync("CREATE TABLE restart_kept AS SELECT 42 AS answer");
        int port = _cluster.Port;
        int oldPid = _cluster.PostmasterProcessId!.Value;
        long logBefore = new FileInfo(_cluster.LogPath).Length;

        await _cluster.RestartAsync();

        Assert.Equal(port, _cluster.Port);
        Assert.NotEqual(oldPid, _cluster.PostmasterProcessId);
        Assert.False(Os.ProcessExists(oldPid));
        Assert.Equal(42, await _cluster.ScalarAsync<int>("SELECT answer FROM restart_kept"));
        Assert.DoesNotContain(NotShutDownCleanly, LogSince(logBefore));
    }

    [Fact]
    public async Task Immediate_stop_then_start_recovers_committed_data()
    {
        await _cluster.ExecuteAsync("CREATE TABLE immediate_kept AS SELECT g FROM generate_series(1, 1000) g");
        long logBefore = new FileInfo(_cluster.LogPath).Length;

        await _cluster.StopAsync(ShutdownMode.Immediate);
        Assert.False(_cluster.IsRunning);
        Assert.Null(_cluster.PostmasterProcessId);
        await _cluster.StartAsync();

        Assert.Equal(1000L, await _cluster.ScalarAsync<long>("SELECT count(*) FROM immediate_kept"));
        Assert.Contains(NotShutDownCleanly, LogSince(logBefore));
    }

    [Fact]
    public async Task Kill_leaves_no_server_process_and_a_restart_recovers()
    {
        await _cluster.ExecuteAsync("CREATE TABLE killed_kept AS SELECT 'survived'::text AS word");
        await using var victim = new NpgsqlConnection(_cluster.NpgsqlConnectionString());
        await victim.OpenAsync();
        int backend = await victim.ScalarAsync<int>("SELECT pg_backend_pid()");
        int postmaster = _cluster.PostmasterProcessId!.Value;
        long logBefore = new FileInfo(_cluster.LogPath).Length;

        await _cluster.KillAsync();

        Assert.False(_cluster.IsRunning);
        Assert.False(Os.ProcessExists(postmaster));
        Assert.False(Os.ProcessExists(backend));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => victim.ScalarAsync<int>("SELECT 1"));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => _cluster.ScalarAsync<int>("SELECT 1"));

        await _cluster.StartAsync();

        Assert.Equal("survived", await _cluster.ScalarAsync<string>("SELECT word FROM killed_kept"));
        Assert.Contains(NotShutDownCleanly, LogSince(logBefore));
    }

    [Fact]
    public async Task Reload_applies_new_settings_to_the_next_connection()
    {
        string before = await _cluster.ScalarAsync<string>("SHOW work_mem");
        string wanted = before == "7MB" ? "9MB" : "7MB";

        _cluster.SetSettings(new Dictionary<string, string> { ["work_mem"] = wanted });
        await _cluster.ReloadAsync();

        Assert.Equal(wanted, await _cluster.ScalarAsync<string>("SHOW work_mem"));
        Assert.Equal(wanted, _cluster.GetSetting("work_mem"));
    }

    [Fact]
    public async Task Reload_applies_a_new_pg_hba_to_the_next_connection()
    {
        try
        {
            _cluster.WriteHba(["local all all trust", "host all all 127.0.0.1/32 reject"]);
            await _cluster.ReloadAsync();

            var refused = await Assert.ThrowsAsync<PostgresException>(() => _cluster.ScalarAsync<int>("SELECT 1"));
            Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, refused.SqlState);
        }
        finally
        {
            _cluster.WriteHba(_cluster.PresetHbaLines());
            await _cluster.ReloadAsync();
        }
        Assert.Equal(1, await _cluster.ScalarAsync<int>("SELECT 1"));
    }

    private string LogSince(long offset)
    {
        using var stream = new FileStream(_cluster.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        return new StreamReader(stream).ReadToEnd();
    }
}
