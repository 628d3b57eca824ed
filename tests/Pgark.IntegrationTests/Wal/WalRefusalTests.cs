using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wal;
using Pgark.Wire;

namespace Pgark.IntegrationTests.Wal;

/// <summary>Servers pgark cannot archive from are refused with a message naming the cause and a hint.</summary>
public sealed class WalRefusalTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task A_role_without_REPLICATION_is_refused_with_the_grant_to_run()
    {
        await _cluster.ExecuteAsync("DO $$ BEGIN CREATE ROLE plain_user LOGIN PASSWORD 'pw'; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        var error = await Assert.ThrowsAnyAsync<PgWireException>(() =>
            new WalReceiver(harness.Repository, harness.Options("x_slot", user: "plain_user", password: "pw")).RunAsync());
        var server = error as PgServerException ?? error.InnerException as PgServerException;
        Assert.NotNull(server);
        Assert.Equal("42501", server.SqlState);

        var cli = await CliHarness.RunAsync(["wal", "stream", "--repo", harness.Directory, "--db", _cluster.ConnInfo(user: "plain_user", password: "pw")]);
        Assert.Equal(4, cli.ExitCode);
        Assert.Contains("hint: as a superuser, run: ALTER ROLE \"plain_user\" REPLICATION;", cli.Error);
        Assert.Empty(await harness.Store.ListAsync());
    }

    [Fact]
    public async Task A_missing_slot_is_refused_by_the_cli_with_exit_code_5()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        var cli = await CliHarness.RunAsync(["wal", "stream", "--repo", harness.Directory, "--db", _cluster.ConnInfo(), "--slot", "absent_slot"]);
        Assert.Equal(5, cli.ExitCode);
        Assert.StartsWith("pgark: replication slot \"absent_slot\" does not exist on the server\nhint: create it with 'pgark wal stream --create-slot'", cli.Error);
    }
}

/// <summary>A cluster with wal_level = minimal (which forces max_wal_senders = 0).</summary>
public sealed class MinimalWalClusterFixture : ClusterFixture
{
    protected override LocalClusterOptions Options => new() { MaxWalSenders = 0, MaxReplicationSlots = 0 };
}

public sealed class WalLevelMinimalTests(MinimalWalClusterFixture fixture) : IClassFixture<MinimalWalClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Wal_level_minimal_is_refused_clearly()
    {
        _cluster.SetSettings(new Dictionary<string, string> { ["wal_level"] = "minimal" });
        await _cluster.RestartAsync();
        Assert.Equal("minimal", await _cluster.ScalarAsync<string>("SHOW wal_level"));
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        var error = await Assert.ThrowsAsync<WalStreamException>(() =>
            new WalReceiver(harness.Repository, harness.Options("m_slot")).RunAsync());
        Assert.StartsWith("the server accepts no WAL streaming connection: ", error.Message);
        Assert.Equal("set wal_level = replica (or logical) and max_wal_senders > 0, then restart the server", error.Hint);
    }
}
