using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Cluster;

/// <summary>Creation edge cases: port races, parallel starts, custom pg_hba.conf, bad settings, unreachable directories.</summary>
public sealed class LocalClusterCreationTests
{
    [Fact]
    public async Task A_port_taken_before_postgres_binds_it_is_replaced_by_another()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        int taken = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        await using LocalCluster cluster = await LocalCluster.CreateAsync();
        var chosen = new Queue<int>([taken]);
        cluster.PortChooser = () => chosen.Count > 0 ? chosen.Dequeue() : LocalCluster.FreePort();

        await cluster.StartAsync();

        Assert.NotEqual(taken, cluster.Port);
        Assert.Equal(cluster.Port.ToString(), await cluster.ScalarAsync<string>("SHOW port"));
        Assert.Contains("Address already in use", File.ReadAllText(cluster.LogPath));
    }

    [Fact]
    public async Task Clusters_started_together_get_their_own_ports_and_directories()
    {
        LocalCluster[] clusters = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => LocalCluster.StartAsync()));
        try
        {
            Assert.Equal(3, clusters.Select(c => c.Port).Distinct().Count());
            Assert.Equal(3, clusters.Select(c => c.Directory).Distinct().Count());
            foreach (LocalCluster cluster in clusters)
            {
                Assert.Equal(cluster.DataDirectory, await cluster.ScalarAsync<string>("SHOW data_directory"));
            }
        }
        finally
        {
            await Task.WhenAll(clusters.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Custom_hba_lines_replace_the_preset()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            HbaLines = ["local all all trust", "host all all 127.0.0.1/32 reject"],
        });

        var refused = await Assert.ThrowsAsync<PostgresException>(() => cluster.ScalarAsync<int>("SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, refused.SqlState);
        Assert.Equal(1, await cluster.ScalarAsync<int>("SELECT 1", host: cluster.SocketDirectory));
    }

    [Fact]
    public async Task A_cluster_refusing_socket_connections_still_counts_as_started()
    {
        // The readiness probe, refused by pg_hba.conf (28000) on the socket, must still see a server that is up.
        var elapsed = Stopwatch.StartNew();
        await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            HbaLines = ["host all all 127.0.0.1/32 trust"],
        });

        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(30), $"start took {elapsed.Elapsed}");
        Assert.Equal(1, await cluster.ScalarAsync<int>("SELECT 1"));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => cluster.ScalarAsync<int>("SELECT 1", host: cluster.SocketDirectory));
        Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, refused.SqlState);
    }

    [Fact]
    public async Task An_invalid_setting_fails_the_start_with_the_server_log()
    {
        var failure = await Assert.ThrowsAsync<LocalClusterException>(() => LocalCluster.StartAsync(new LocalClusterOptions
        {
            Settings = new Dictionary<string, string> { ["wal_level"] = "bogus" },
        }));

        Assert.Contains("exited with code 1 while starting", failure.Message);
        Assert.Contains("invalid value for parameter \"wal_level\": \"bogus\"", failure.Message);
    }

    [RootFact]
    public async Task A_directory_the_server_account_cannot_reach_is_refused_by_name_before_anything_is_created()
    {
        string unreachable = $"/root/pgark-unreachable-{Guid.NewGuid():N}";

        var failure = await Assert.ThrowsAsync<LocalClusterException>(() => LocalCluster.StartAsync(new LocalClusterOptions
        {
            Directory = unreachable,
        }));

        Assert.StartsWith($"the server account postgres cannot reach {unreachable}: /root is not searchable by others", failure.Message);
        Assert.False(Directory.Exists(unreachable));
    }

    [Fact]
    public void Missing_binaries_name_the_directory_given()
    {
        var failure = Assert.Throws<LocalClusterException>(() => PgBinaries.Find(binDirectory: "/nonexistent/pg/bin"));

        Assert.Contains("/nonexistent/pg/bin", failure.Message);
    }
}
