using System.Globalization;
using System.Text.Json;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.IntegrationTests.Physical;
using Pgark.IntegrationTests.Recovery;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wal;

/// <summary>
/// Two real PostgreSQL 15 clusters (two initdb runs, so two system identifiers and the same WAL file names) archived into ONE
/// repository by two streamers running at once (repository-format.md §8.2): status reports both without gaps, wal get serves
/// each cluster's own segment under the shared name (and refuses to guess), a second streamer for the same cluster is refused
/// while the other cluster's runs, and a PITR restore of each cluster replays only its own WAL.
/// </summary>
public sealed class WalTwoClustersTests
{
    private sealed record Streamed(LocalCluster Cluster, ulong SystemId, WalReceiver Receiver, Task Run, CancellationTokenSource Stop);

    private static Streamed Stream(Pgark.Repository.Repository repository, LocalCluster cluster, ulong systemId)
    {
        var receiver = new WalReceiver(repository, new WalReceiverOptions
        {
            Connection = ConnectionSettings.Parse(cluster.ConnInfo(), ReplicationMode.Physical),
            SlotName = "two_clusters", CreateSlot = true, StatusInterval = TimeSpan.FromMilliseconds(200),
            InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromSeconds(1),
        });
        var stop = new CancellationTokenSource();
        return new Streamed(cluster, systemId, receiver, Task.Run(() => receiver.RunAsync(stop.Token)), stop);
    }

    /// <summary>Orders named after the cluster, a backup between two batches, and the completed segment holding the last switch.</summary>
    private static async Task<(string LastSegment, Lsn End)> WriteAsync(Pgark.Repository.Repository repository, Streamed s, string tag, int rows)
    {
        await s.Cluster.ExecuteAsync("CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL)");
        await s.Cluster.ExecuteAsync($"INSERT INTO orders SELECT g, '{tag} ' || g FROM generate_series(1, {rows / 2}) g");
        await PhysicalTestBed.BackupAsync(repository, s.Cluster);
        await s.Cluster.ExecuteAsync($"INSERT INTO orders SELECT g, '{tag} ' || g FROM generate_series({rows / 2 + 1}, {rows}) g");
        string last = await s.Cluster.ScalarAsync<string>("SELECT pg_walfile_name(pg_switch_wal())");
        await s.Cluster.ExecuteAsync($"INSERT INTO orders VALUES ({rows + 1}, '{tag} after the switch')");
        Lsn end = Lsn.Parse(await s.Cluster.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text"));
        await WalStreamHarness.WaitDurableAsync(s.Receiver, s.Run, end);
        return (last, end);
    }

    [PgMajorFact(15)]
    public async Task Two_clusters_stream_into_one_repository_and_each_restores_from_its_own_wal()
    {
        string directory = Path.Combine("/tmp", $"pgark-two-{Guid.NewGuid():N}"[..22]);
        var repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(directory), new RepositoryInitOptions());
        await using LocalCluster first = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 15 });
        await using LocalCluster second = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 15 });
        ulong firstId = await WalStreamHarness.SystemIdentifierAsync(first), secondId = await WalStreamHarness.SystemIdentifierAsync(second);
        Assert.NotEqual(firstId, secondId);
        var streams = new[] { Stream(repository, first, firstId), Stream(repository, second, secondId) };
        try
        {
            // Both clusters write and archive at the same time: the same WAL file names, each under its own directory.
            var written = await Task.WhenAll(WriteAsync(repository, streams[0], "first", 100), WriteAsync(repository, streams[1], "second", 60));
            Assert.Equal([firstId, secondId], (await repository.Wal.ListClustersAsync()).Order());
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(directory, "wal", WalClusters.Hex(firstId))));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(directory, "wal", WalClusters.Hex(secondId))));

            // One streamer per cluster: a second one for the first cluster is refused while both run.
            var again = Stream(repository, first, firstId);
            var refused = await Assert.ThrowsAsync<WalStreamException>(() => again.Run);
            Assert.StartsWith($"another WAL streamer for system {firstId} is running", refused.Message);
            Assert.False(streams[0].Run.IsCompleted || streams[1].Run.IsCompleted);

            await AssertStatusAsync(directory, firstId, secondId);
            await AssertWalGetAsync(directory, streams, written.Select(w => w.LastSegment).ToArray());
        }
        finally
        {
            foreach (Streamed s in streams)
                await WalStreamHarness.StopAsync(s.Run, s.Stop);
        }

        // Plans need the cluster named now; each restore replays its own cluster's WAL (another's would be refused by PostgreSQL
        // for its system identifier) up to its last commit.
        RecoveryCli.Result ambiguous = await RecoveryCli.RunAsync("plan", "--repo", directory, "--latest");
        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Contains("the repository holds physical backups or WAL of 2 clusters", ambiguous.Error);
        foreach ((LocalCluster cluster, ulong id, string tag, int rows) in new[] { (first, firstId, "first", 100), (second, secondId, "second", 60) })
        {
            await using LocalCluster restored = await RecoveryCli.RestoreAndRecoverAsync(cluster, directory, null,
                "--system-id", id.ToString(CultureInfo.InvariantCulture), "--latest");
            Assert.Equal(rows + 1, await RecoveryCli.CountAsync(restored));
            Assert.Equal(rows + 1, await RecoveryCli.CountAsync(restored, $"item LIKE '{tag} %'"));
            Assert.Equal(id, await WalStreamHarness.SystemIdentifierAsync(restored));
            string settings = await File.ReadAllTextAsync(Path.Combine(restored.DataDirectory, "postgresql.auto.conf"));
            Assert.Contains($" --system-id {id} %f %p", settings);
        }
        Directory.Delete(directory, recursive: true);
    }

    private static async Task AssertStatusAsync(string directory, ulong firstId, ulong secondId)
    {
        RecoveryCli.Result status = await RecoveryCli.RunAsync("status", "--repo", directory, "--json");
        Assert.True(status.ExitCode == 0, status.Error + status.Out);
        using JsonDocument json = JsonDocument.Parse(status.Out);
        JsonElement[] clusters = [.. json.RootElement.GetProperty("clusters").EnumerateArray()];
        Assert.Equal(new[] { firstId, secondId }.Order().Select(i => i.ToString(CultureInfo.InvariantCulture)),
            clusters.Select(c => c.GetProperty("system_identifier").GetString()));
        Assert.All(clusters, c => Assert.Equal((0, true), (c.GetProperty("gaps").GetArrayLength(), c.GetProperty("healthy").GetBoolean())));
        Assert.True(json.RootElement.GetProperty("healthy").GetBoolean());

        RecoveryCli.Result text = await RecoveryCli.RunAsync("status", "--repo", directory);
        Assert.StartsWith("clusters:        2\n", text.Out);
        Assert.Contains($"system id:       {firstId}\n", text.Out);
        Assert.Contains($"system id:       {secondId}\n", text.Out);
    }

    private static async Task AssertWalGetAsync(string directory, Streamed[] streams, string[] lastSegments)
    {
        string destination = Path.Combine(directory, "RECOVERYXLOG");
        RecoveryCli.Result unnamed = await RecoveryCli.RunAsync("wal", "get", "--repo", directory, lastSegments[0], destination);
        Assert.Equal(126, unnamed.ExitCode);
        Assert.StartsWith("pgark: the repository holds WAL of 2 clusters: ", unnamed.Error);
        for (int i = 0; i < streams.Length; i++)
        {
            // Each cluster's completed segment, by decimal or hex id, is byte for byte the server's own file.
            string id = i == 0 ? streams[i].SystemId.ToString(CultureInfo.InvariantCulture) : WalClusters.Hex(streams[i].SystemId);
            RecoveryCli.Result got = await RecoveryCli.RunAsync("wal", "get", "--repo", directory, "--system-id", id, lastSegments[i], destination);
            Assert.True(got.ExitCode == 0, got.Error);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(streams[i].Cluster.DataDirectory, "pg_wal", lastSegments[i])),
                await File.ReadAllBytesAsync(destination));
        }
        // The name both clusters have: each id gets its own bytes.
        string shared = lastSegments.Min(StringComparer.Ordinal)!;
        var served = new List<byte[]>();
        foreach (Streamed s in streams)
        {
            Assert.Equal(0, (await RecoveryCli.RunAsync("wal", "get", "--repo", directory, "--system-id", WalClusters.Hex(s.SystemId), shared, destination)).ExitCode);
            byte[] bytes = await File.ReadAllBytesAsync(destination);
            Assert.Equal(s.SystemId, Pgark.Wal.WalPageHeader.TryReadSystemIdentifier(bytes));
            served.Add(bytes);
        }
        Assert.NotEqual(served[0], served[1]);
    }
}
