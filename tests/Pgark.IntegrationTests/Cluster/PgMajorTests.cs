using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Cluster;

/// <summary>
/// Every supported major starts as a scratch cluster with checksums, SCRAM and TLS, and pgark's wire layer
/// speaks to it (channel binding, IDENTIFY_SYSTEM, the major's CREATE_REPLICATION_SLOT syntax). Majors whose
/// programs are not installed are skipped with the install command (scripts/install-pg-major.sh N).
/// </summary>
public sealed class PgMajorTests
{
    [PgMajorFact(13)] public Task Major_13() => StartsWithChecksumsScramAndTls(13);
    [PgMajorFact(14)] public Task Major_14() => StartsWithChecksumsScramAndTls(14);
    [PgMajorFact(15)] public Task Major_15() => StartsWithChecksumsScramAndTls(15);
    [PgMajorFact(16)] public Task Major_16() => StartsWithChecksumsScramAndTls(16);
    [PgMajorFact(17)] public Task Major_17() => StartsWithChecksumsScramAndTls(17);
    [PgMajorFact(18)] public Task Major_18() => StartsWithChecksumsScramAndTls(18);

    private static async Task StartsWithChecksumsScramAndTls(int major)
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Major = major,
            Authentication = HbaPreset.ScramSha256,
            Tls = true,
        });
        await using var connection = new NpgsqlConnection(cluster.NpgsqlConnectionString(sslMode: "VerifyFull", host: "localhost"));
        await connection.OpenAsync();

        Assert.Equal(major, cluster.Installation.Major);
        Assert.Equal(major, int.Parse(await connection.ScalarAsync<string>("SHOW server_version_num")) / 10000);
        Assert.Equal("on", await connection.ScalarAsync<string>("SHOW data_checksums"));
        Assert.Equal("replica", await connection.ScalarAsync<string>("SHOW wal_level"));
        Assert.True(await connection.ScalarAsync<bool>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
        Assert.StartsWith("SCRAM-SHA-256$", await connection.ScalarAsync<string>(
            "SELECT rolpassword FROM pg_authid WHERE rolname = current_user"));

        await WireSpeaksToItAsync(cluster, connection);

        await cluster.StopAsync(ShutdownMode.Immediate);
        await cluster.StartAsync();
        Assert.Equal(1, await cluster.ScalarAsync<int>("SELECT 1"));
    }

    private static async Task WireSpeaksToItAsync(LocalCluster cluster, NpgsqlConnection sql)
    {
        await using PgConnection replication = await cluster.OpenWireAsync(replication: "true", sslMode: "verify-full",
            host: "localhost", extra: new Dictionary<string, string> { ["channel_binding"] = "require" });
        Assert.Equal("SCRAM-SHA-256-PLUS", replication.AuthenticationMethod);

        IdentifySystemResult identity = await replication.IdentifySystemAsync();
        Assert.Equal(unchecked((ulong)await sql.ScalarAsync<long>("SELECT system_identifier FROM pg_control_system()")),
            identity.SystemId);

        ReplicationSlotCreated slot = await replication.CreateReplicationSlotAsync("pgark_major_test",
            new CreateReplicationSlotOptions { ReserveWal = true });
        Assert.Equal("pgark_major_test", slot.SlotName);
        // A physical slot's consistent_point is 0/0 on the wire (walsender sends confirmed_flush); RESERVE_WAL
        // shows as a restart_lsn.
        Assert.Equal(Lsn.Invalid, slot.ConsistentPoint ?? Lsn.Invalid);
        Lsn restart = Lsn.Parse(await sql.ScalarAsync<string>(
            "SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'pgark_major_test'"));
        Lsn now = Lsn.Parse(await sql.ScalarAsync<string>("SELECT pg_current_wal_insert_lsn()::text"));
        Assert.InRange(restart.Value, 1UL, now.Value);
        await replication.DropReplicationSlotAsync("pgark_major_test");
        Assert.Equal(0L, await sql.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots"));
    }
}
