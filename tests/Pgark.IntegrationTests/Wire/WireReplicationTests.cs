using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wire;

/// <summary>The replication protocol against a real walsender, checked against SQL through Npgsql.</summary>
public sealed class WireReplicationTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Identify_system_matches_pg_control_and_the_current_wal_position()
    {
        await using var sql = new NpgsqlConnection(_cluster.NpgsqlConnectionString());
        await sql.OpenAsync();
        long systemId = await sql.ScalarAsync<long>("SELECT system_identifier FROM pg_control_system()");
        int timeline = await sql.ScalarAsync<int>("SELECT timeline_id FROM pg_control_checkpoint()");
        Lsn before = Lsn.Parse(await sql.ScalarAsync<string>("SELECT pg_current_wal_flush_lsn()::text"));

        await using PgConnection replication = await _cluster.OpenWireAsync(replication: "true");
        IdentifySystemResult identity = await replication.IdentifySystemAsync();
        Lsn after = Lsn.Parse(await sql.ScalarAsync<string>("SELECT pg_current_wal_flush_lsn()::text"));

        Assert.Equal(unchecked((ulong)systemId), identity.SystemId);
        Assert.Equal((uint)timeline, identity.Timeline.Value);
        Assert.InRange(identity.XLogPosition.Value, before.Value, after.Value);
        Assert.Null(identity.DatabaseName);
    }
}
