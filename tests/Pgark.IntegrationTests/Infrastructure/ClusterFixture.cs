using Pgark.Cluster;

namespace Pgark.IntegrationTests.Infrastructure;

/// <summary>
/// One scratch cluster shared by the tests of a class (<c>IClassFixture&lt;ClusterFixture&gt;</c>): xunit runs a
/// class's tests one after another, so they may restart it, but each must leave it running. Classes run in
/// parallel, each on its own cluster, port and directory.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private LocalCluster? _cluster;

    public LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("the fixture has not started");

    /// <summary>Options of the shared cluster; override for another preset.</summary>
    protected virtual LocalClusterOptions Options => new();

    public virtual async Task InitializeAsync() => _cluster = await LocalCluster.StartAsync(Options);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>A shared cluster with SCRAM-SHA-256 authentication over TCP and TLS on.</summary>
public sealed class ScramTlsClusterFixture : ClusterFixture
{
    protected override LocalClusterOptions Options => new() { Authentication = HbaPreset.ScramSha256, Tls = true };
}
