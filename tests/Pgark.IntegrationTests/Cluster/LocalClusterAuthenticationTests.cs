using System.Security.Authentication;
using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Cluster;

/// <summary>The pg_hba.conf presets, the stored password forms and TLS, as a real server applies them.</summary>
public sealed class LocalClusterAuthenticationTests(ScramTlsClusterFixture fixture) : IClassFixture<ScramTlsClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Scram_preset_stores_a_scram_verifier_and_accepts_the_password_over_tcp()
    {
        Assert.StartsWith("SCRAM-SHA-256$4096:", await _cluster.ScalarAsync<string>(
            "SELECT rolpassword FROM pg_authid WHERE rolname = current_user"));
        Assert.Equal("scram-sha-256", await _cluster.ScalarAsync<string>(
            "SELECT auth_method FROM pg_hba_file_rules WHERE 'replication' <> ALL(database) AND type = 'host'"));
    }

    [Fact]
    public async Task Scram_preset_refuses_a_wrong_password()
    {
        var refused = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var connection = new NpgsqlConnection(_cluster.NpgsqlConnectionString(user: _cluster.Superuser, password: "wrong"));
            await connection.OpenAsync();
        });
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task Tls_verify_full_succeeds_with_the_generated_ca_for_both_names_of_the_server(string host)
    {
        await using var connection = new NpgsqlConnection(_cluster.NpgsqlConnectionString(sslMode: "VerifyFull", host: host));
        await connection.OpenAsync();

        Assert.True(await connection.ScalarAsync<bool>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
        Assert.True(File.Exists(_cluster.CaCertificatePath));
        Assert.Contains($"sslrootcert={_cluster.CaCertificatePath}", _cluster.ConnInfo(sslMode: "verify-full"));
    }

    [Fact]
    public async Task Tls_verification_fails_against_another_ca()
    {
        string otherDirectory = Directory.CreateTempSubdirectory("pgark-test-ca-").FullName;
        ClusterTls other = ClusterTls.Create(otherDirectory, ServerAccount.Resolve(null));
        string foreignCa = $"{_cluster.NpgsqlConnectionString(sslMode: "VerifyCA")};Root Certificate={other.CaCertificatePath}";

        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var connection = new NpgsqlConnection(foreignCa);
            await connection.OpenAsync();
        });
        Assert.True(failure is AuthenticationException || failure.InnerException is AuthenticationException, failure.ToString());
        Directory.Delete(otherDirectory, recursive: true);
    }

    [Fact]
    public async Task Md5_preset_stores_an_md5_password_and_authenticates_with_md5()
    {
        await using LocalCluster md5 = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Authentication = HbaPreset.Md5,
            Password = "md5 pass'word",
        });

        Assert.Equal("md5 pass'word", md5.Password);
        Assert.StartsWith("md5", await md5.ScalarAsync<string>("SELECT rolpassword FROM pg_authid WHERE rolname = current_user"));
        Assert.Equal("md5", await md5.ScalarAsync<string>("SHOW password_encryption"));
        Assert.Equal("md5", await md5.ScalarAsync<string>(
            "SELECT auth_method FROM pg_hba_file_rules WHERE 'replication' <> ALL(database) AND type = 'host'"));
    }

    [Fact]
    public async Task Tls_only_transport_refuses_plain_tcp_and_caller_settings_apply()
    {
        await using LocalCluster tlsOnly = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Tls = true,
            HbaTransport = HbaTransport.TlsOnly,
            Settings = new Dictionary<string, string> { ["work_mem"] = "3MB" },
        });

        Assert.Equal("3MB", await tlsOnly.ScalarAsync<string>("SHOW work_mem"));
        var refused = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var plain = new NpgsqlConnection(tlsOnly.NpgsqlConnectionString(sslMode: "Disable"));
            await plain.OpenAsync();
        });
        Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, refused.SqlState);
        Assert.Contains("no encryption", refused.MessageText);
    }
}
