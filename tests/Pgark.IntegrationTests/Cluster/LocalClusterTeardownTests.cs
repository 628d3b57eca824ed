using System.Diagnostics;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Cluster;

/// <summary>The guarantees that nothing outlives a cluster: disposal and the sweep of dead owners' clusters.</summary>
public sealed class LocalClusterTeardownTests
{
    [Fact]
    public async Task Dispose_stops_the_server_and_deletes_its_directory()
    {
        LocalCluster cluster = await LocalCluster.StartAsync();
        int postmaster = cluster.PostmasterProcessId!.Value;
        string directory = cluster.Directory;

        await cluster.DisposeAsync();

        Assert.False(Os.ProcessExists(postmaster));
        Assert.False(Directory.Exists(directory));
        await cluster.DisposeAsync(); // twice is harmless
    }

    [Fact]
    public async Task The_sweep_kills_and_removes_clusters_whose_owner_process_died()
    {
        await using LocalCluster orphan = await LocalCluster.StartAsync(new LocalClusterOptions { KeepDirectory = true });
        int postmaster = orphan.PostmasterProcessId!.Value;
        using Process gone = Process.Start(new ProcessStartInfo("true"))!;
        await gone.WaitForExitAsync();
        File.WriteAllText(Path.Combine(orphan.Directory, ClusterReaper.OwnerFileName), $"{gone.Id} 1\n");

        ClusterReaper.SweepNow();

        Assert.False(Os.ProcessExists(postmaster));
        Assert.False(Directory.Exists(orphan.Directory));
    }

    [Fact]
    public async Task The_sweep_leaves_clusters_of_living_owners_alone()
    {
        await using LocalCluster mine = await LocalCluster.StartAsync();

        ClusterReaper.SweepNow();

        Assert.True(mine.IsRunning);
        Assert.Equal(1, await mine.ScalarAsync<int>("SELECT 1"));
    }
}
