using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.IntegrationTests.Wire;

/// <summary>TLS against the cluster's generated certificate, and SCRAM-SHA-256-PLUS channel binding.</summary>
public sealed class WireTlsTests(ScramTlsClusterFixture fixture) : IClassFixture<ScramTlsClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Theory]
    [InlineData("require", "127.0.0.1")]
    [InlineData("verify-ca", "127.0.0.1")]
    [InlineData("verify-full", "localhost")]
    [InlineData("verify-full", "127.0.0.1")]
    public async Task Tls_connects_in_each_sslmode_and_the_server_sees_tls(string sslMode, string host)
    {
        await using PgConnection connection = await _cluster.OpenWireAsync(sslMode: sslMode, host: host);

        Assert.True(connection.IsTls);
        Assert.Equal("t", (await connection.QueryTextAsync("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).Scalar);
    }

    [Fact]
    public async Task Verify_ca_with_another_ca_fails_as_tls()
    {
        string otherDirectory = Directory.CreateTempSubdirectory("pgark-test-ca-").FullName;
        try
        {
            ClusterTls other = ClusterTls.Create(otherDirectory, ServerAccount.Resolve(null));
            string conninfo = _cluster.ConnInfo(sslMode: "verify-ca").Replace(_cluster.CaCertificatePath!, other.CaCertificatePath);

            await WireSessions.OpenFailsAsync(conninfo, PgConnectionFailure.Tls);
        }
        finally
        {
            Directory.Delete(otherDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Channel_binding_require_uses_scram_sha_256_plus_over_tls()
    {
        await using PgConnection connection = await _cluster.OpenWireAsync(sslMode: "verify-full", host: "localhost",
            extra: new Dictionary<string, string> { ["channel_binding"] = "require" });

        Assert.Equal("SCRAM-SHA-256-PLUS", connection.AuthenticationMethod);
    }

    [Fact]
    public async Task Channel_binding_require_without_tls_fails_clearly()
    {
        PgConnectionException error = await WireSessions.OpenFailsAsync(
            _cluster.ConnInfo(sslMode: "disable", extra: new Dictionary<string, string> { ["channel_binding"] = "require" }),
            PgConnectionFailure.Authentication);

        Assert.Contains("channel_binding=require", error.Message);
        Assert.Contains("not TLS", error.Message);
    }

    [Fact]
    public async Task Verify_full_refuses_a_host_name_the_certificate_does_not_name()
    {
        // The certificate names localhost and 127.0.0.1; 127.0.0.2 reaches the same server by another name.
        await using LocalCluster twoAddresses = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Tls = true,
            Settings = new Dictionary<string, string> { ["listen_addresses"] = "127.0.0.1,127.0.0.2" },
            HbaLines = ["local all all trust", "host all all 127.0.0.0/8 trust"],
        });

        await using (PgConnection byCaOnly = await twoAddresses.OpenWireAsync(sslMode: "verify-ca", host: "127.0.0.2"))
        {
            Assert.True(byCaOnly.IsTls);
        }
        PgConnectionException error = await WireSessions.OpenFailsAsync(
            twoAddresses.ConnInfo(sslMode: "verify-full", host: "127.0.0.2"), PgConnectionFailure.Tls);
        Assert.Contains("127.0.0.2", error.Message);
    }

    [Fact]
    public async Task Sslmode_require_against_a_server_without_tls_fails_as_tls()
    {
        await using LocalCluster plain = await LocalCluster.StartAsync();

        await WireSessions.OpenFailsAsync(plain.ConnInfo(sslMode: "require"), PgConnectionFailure.Tls);
    }
}
