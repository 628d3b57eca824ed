using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Cluster;

/// <summary>
/// Every supported major starts as a scratch cluster with checksums, SCRAM and TLS. Majors whose programs
/// are not installed are skipped with the install command (scripts/install-pg-major.sh N).
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

        await cluster.StopAsync(ShutdownMode.Immediate);
        await cluster.StartAsync();
        Assert.Equal(1, await cluster.ScalarAsync<int>("SELECT 1"));
    }
}
