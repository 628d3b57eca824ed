using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Cluster;

/// <summary>
/// Adopt and promote: a standby made with pg_basebackup from a primary runs as an adopted cluster,
/// replays the primary's changes, and accepts writes once promoted. This is the shape of a restore drill.
/// </summary>
public sealed class StandbyTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _primary = fixture.Cluster;

    [Fact]
    public async Task An_adopted_base_backup_streams_as_a_standby_and_promotes()
    {
        string pgBasebackup = Path.Combine(_primary.Installation.BinDirectory, "pg_basebackup");
        Assert.True(File.Exists(pgBasebackup), $"{pgBasebackup} is part of every server package this suite runs on");
        string copy = Path.Combine(Path.GetTempPath(), $"pgark-standby-{Guid.NewGuid():N}");
        Os.Run(pgBasebackup, "-h", _primary.SocketDirectory, "-p", _primary.Port.ToString(), "-U", _primary.Superuser,
            "-D", copy, "-R", "-X", "stream", "--no-sync");
        await _primary.ExecuteAsync("CREATE TABLE after_backup AS SELECT 'streamed'::text AS word");

        await using LocalCluster standby = LocalCluster.Adopt(copy);
        await standby.StartAsync();

        Assert.True(await standby.ScalarAsync<bool>("SELECT pg_is_in_recovery()"));
        Assert.Equal("on", await standby.ScalarAsync<string>("SHOW data_checksums"));
        Assert.Equal(Os.IsRoot ? "postgres" : Environment.UserName, Os.FileOwner(Path.Combine(copy, "PG_VERSION")));
        Assert.True(SpinWait.SpinUntil(() => TableVisible(standby), TimeSpan.FromSeconds(60)),
            "the standby did not replay the primary's new table within 60 s");

        await standby.PromoteAsync();

        Assert.False(await standby.ScalarAsync<bool>("SELECT pg_is_in_recovery()"));
        await standby.ExecuteAsync("INSERT INTO after_backup VALUES ('written after promotion')");
        Assert.Equal(2L, await standby.ScalarAsync<long>("SELECT count(*) FROM after_backup"));
        Assert.Equal(1L, await _primary.ScalarAsync<long>("SELECT count(*) FROM after_backup"));
    }

    private static bool TableVisible(LocalCluster standby)
        => standby.ScalarAsync<bool>("SELECT to_regclass('after_backup') IS NOT NULL").GetAwaiter().GetResult();
}
