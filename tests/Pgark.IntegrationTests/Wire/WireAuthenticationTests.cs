using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.IntegrationTests.Wire;

/// <summary>pgark's wire layer authenticating against real servers: trust, MD5, SCRAM-SHA-256, refusals.</summary>
public sealed class WireAuthenticationTests(ScramTlsClusterFixture fixture) : IClassFixture<ScramTlsClusterFixture>
{
    private readonly LocalCluster _scram = fixture.Cluster;

    [Fact]
    public async Task Scram_sha_256_without_tls_authenticates_the_superuser()
    {
        await using PgConnection connection = await _scram.OpenWireAsync(sslMode: "disable");

        Assert.False(connection.IsTls);
        Assert.Equal("SCRAM-SHA-256", connection.AuthenticationMethod);
        Assert.Equal(_scram.Superuser, (await connection.QueryTextAsync("SELECT current_user")).Scalar);
        Assert.Equal(_scram.Installation.Major, connection.ServerVersionNumber / 10000);
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_failure_that_says_so()
    {
        PgConnectionException error = await WireSessions.OpenFailsAsync(
            _scram.ConnInfo(user: _scram.Superuser, password: "not-the-password", sslMode: "disable"), PgConnectionFailure.Authentication);

        var server = Assert.IsType<PgServerException>(error.InnerException);
        Assert.Equal("28P01", server.SqlState);
        Assert.Contains($"password authentication failed for user \"{_scram.Superuser}\"", error.Message);
        Assert.Contains("hint:", error.Message);
    }

    [Fact]
    public async Task A_role_without_replication_is_refused_a_replication_connection()
    {
        await _scram.ExecuteAsync("DROP ROLE IF EXISTS plain_reader; CREATE ROLE plain_reader LOGIN PASSWORD 'reader-pw'");
        await using (PgConnection sql = await _scram.OpenWireAsync(user: "plain_reader", password: "reader-pw"))
        {
            Assert.Equal("plain_reader", (await sql.QueryTextAsync("SELECT current_user")).Scalar); // the role can log in
        }

        PgConnectionException error = await WireSessions.OpenFailsAsync(
            _scram.ConnInfo(user: "plain_reader", password: "reader-pw", replication: "true"), PgConnectionFailure.Rejected);

        Assert.Equal("42501", Assert.IsType<PgServerException>(error.InnerException).SqlState);
        Assert.Contains("replication", error.Message);
    }

    [Fact]
    public async Task Trust_and_md5_authenticate_by_their_own_methods()
    {
        await using LocalCluster md5 = await LocalCluster.StartAsync(new LocalClusterOptions { Authentication = HbaPreset.Md5 });
        await using LocalCluster trust = await LocalCluster.StartAsync();

        await using PgConnection viaMd5 = await md5.OpenWireAsync(sslMode: "disable");
        await using PgConnection viaTrust = await trust.OpenWireAsync(sslMode: "disable");

        Assert.Equal("md5", viaMd5.AuthenticationMethod);
        Assert.Equal("trust", viaTrust.AuthenticationMethod);
        Assert.Equal("1", (await viaMd5.QueryTextAsync("SELECT 1")).Scalar);
        await WireSessions.OpenFailsAsync(md5.ConnInfo(user: md5.Superuser, password: "wrong", sslMode: "disable"),
            PgConnectionFailure.Authentication);
    }

    [Fact]
    public async Task A_missing_replication_line_in_pg_hba_is_refused_by_name()
    {
        await using LocalCluster noReplication = await LocalCluster.StartAsync(new LocalClusterOptions { AllowReplication = false });
        await using (PgConnection sql = await noReplication.OpenWireAsync())
        {
            Assert.Equal("1", (await sql.QueryTextAsync("SELECT 1")).Scalar);
        }

        PgConnectionException error = await WireSessions.OpenFailsAsync(noReplication.ConnInfo(replication: "true", sslMode: "disable"),
            PgConnectionFailure.Authentication);

        Assert.Equal("28000", Assert.IsType<PgServerException>(error.InnerException).SqlState);
        Assert.Contains("no pg_hba.conf entry for replication connection", error.Message);
    }
}
