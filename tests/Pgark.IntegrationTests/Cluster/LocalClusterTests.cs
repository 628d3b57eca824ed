using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Cluster;

/// <summary>What a default scratch cluster is: checked through Npgsql against the running server.</summary>
public sealed class LocalClusterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Accepts_tcp_connections_on_its_port_as_the_superuser()
    {
        await using var connection = new NpgsqlConnection(_cluster.NpgsqlConnectionString());
        await connection.OpenAsync();

        Assert.Equal(_cluster.Port.ToString(), await connection.ScalarAsync<string>("SHOW port"));
        Assert.Equal("127.0.0.1", await connection.ScalarAsync<string>("SELECT host(inet_server_addr())"));
        Assert.Equal(_cluster.Superuser, await connection.ScalarAsync<string>("SELECT current_user"));
        Assert.True(await connection.ScalarAsync<bool>("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
    }

    [Fact]
    public async Task Accepts_connections_on_its_own_unix_socket()
    {
        await using var connection = new NpgsqlConnection(_cluster.NpgsqlConnectionString(host: _cluster.SocketDirectory));
        await connection.OpenAsync();

        Assert.Null(await connection.ScalarAsync<object>("SELECT inet_server_addr()") as string);
        Assert.Equal(_cluster.SocketDirectory, await connection.ScalarAsync<string>("SHOW unix_socket_directories"));
        Assert.True(File.Exists(_cluster.SocketPath));
    }

    [Fact]
    public async Task Has_data_checksums_utf8_and_the_replication_settings()
    {
        Assert.Equal("on", await _cluster.ScalarAsync<string>("SHOW data_checksums"));
        Assert.Equal("replica", await _cluster.ScalarAsync<string>("SHOW wal_level"));
        Assert.Equal("10", await _cluster.ScalarAsync<string>("SHOW max_wal_senders"));
        Assert.Equal("10", await _cluster.ScalarAsync<string>("SHOW max_replication_slots"));
        Assert.Equal("off", await _cluster.ScalarAsync<string>("SHOW fsync"));
        Assert.Equal("UTF8", await _cluster.ScalarAsync<string>("SHOW server_encoding"));
        Assert.Equal("C", await _cluster.ScalarAsync<string>("SHOW lc_collate"));
    }

    [Fact]
    public async Task Runs_the_installation_it_reports_on_its_data_directory()
    {
        int versionNum = int.Parse(await _cluster.ScalarAsync<string>("SHOW server_version_num"));

        Assert.Equal(_cluster.Installation.Major, versionNum / 10000);
        Assert.StartsWith(_cluster.Installation.Version, await _cluster.ScalarAsync<string>("SHOW server_version"));
        Assert.Equal(_cluster.DataDirectory, await _cluster.ScalarAsync<string>("SHOW data_directory"));
        Assert.Contains(_cluster.Installation, PgBinaries.Available());
    }

    [Fact]
    public async Task Runs_as_the_unprivileged_server_account_which_owns_the_files()
    {
        string expectedAccount = Os.IsRoot ? "postgres" : Environment.UserName;
        string expectedUid = Os.UserId(expectedAccount);
        int postmaster = _cluster.PostmasterProcessId!.Value;
        await using var connection = new NpgsqlConnection(_cluster.NpgsqlConnectionString());
        await connection.OpenAsync();
        int backend = await connection.ScalarAsync<int>("SELECT pg_backend_pid()");

        Assert.Equal(expectedAccount, _cluster.ServerUser);
        Assert.Equal(postmaster.ToString(), File.ReadLines(Path.Combine(_cluster.DataDirectory, "postmaster.pid")).First());
        Assert.Equal(expectedUid, Os.ProcessUserId(postmaster));
        Assert.Equal(expectedUid, Os.ProcessUserId(backend));
        Assert.Equal(expectedAccount, Os.FileOwner(_cluster.Directory));
        Assert.Equal(expectedAccount, Os.FileOwner(_cluster.DataDirectory));
        Assert.Equal(expectedAccount, Os.FileOwner(Path.Combine(_cluster.DataDirectory, LocalCluster.SettingsFileName)));
        Assert.Equal(expectedAccount, Os.FileOwner(_cluster.LogPath));
    }

    [Fact]
    public void Conninfo_is_libpq_key_value_form_with_replication_and_tls_parameters()
    {
        string conninfo = _cluster.ConnInfo(database: "db one", user: "alice", password: "it's", replication: "true");

        Assert.Equal($"host=127.0.0.1 port={_cluster.Port} user=alice dbname='db one' password='it\\'s' replication=true", conninfo);
        Assert.Contains($"password={_cluster.Password}", _cluster.ConnInfo());
        Assert.DoesNotContain("sslrootcert", _cluster.ConnInfo(sslMode: "verify-full")); // no TLS on this cluster
    }

    [Fact]
    public void Log_tail_shows_the_server_log()
    {
        Assert.Contains("database system is ready to accept connections", _cluster.ReadLogTail(200));
    }
}
