using Pgark.Cluster;

namespace Pgark.Cli.Commands;

/// <summary>What the demo creates — clusters and directories — so that all of it goes away at the end, even on failure.</summary>
internal sealed class DemoScratch(bool keep, int? major) : IAsyncDisposable
{
    private readonly List<LocalCluster> _clusters = [];
    private readonly List<string> _directories = [];

    public bool Keep => keep;

    public async Task<LocalCluster> StartSourceAsync(CancellationToken cancellationToken)
    {
        LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Major = major,
            KeepDirectory = keep,
            // logical: physical backups then record exact row counts (a logical slot's snapshot) for the restore drill.
            Settings = new Dictionary<string, string> { ["wal_level"] = "logical" },
        },
            cancellationToken).ConfigureAwait(false);
        _clusters.Add(cluster);
        return cluster;
    }

    /// <summary>Adopts a restored data directory and starts it with the source's binaries; recovery runs to consistency.</summary>
    public async Task<LocalCluster> StartRestoredAsync(string dataDirectory, LocalCluster source, CancellationToken cancellationToken)
    {
        LocalCluster cluster = LocalCluster.Adopt(dataDirectory, new LocalClusterOptions
        {
            BinDirectory = source.Installation.BinDirectory,
            KeepDirectory = keep,
        });
        _clusters.Add(cluster);
        await cluster.StartAsync(cancellationToken).ConfigureAwait(false);
        return cluster;
    }

    /// <summary>A new directory under /tmp, reachable by the server account (a restored data directory lives in one).</summary>
    public string NewDirectory(string prefix)
    {
        string path = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(path);
        _directories.Add(path);
        return path;
    }

    public string Describe() => string.Join("; ", _clusters.Select(c => $"{c.ConnInfo()} (data in {c.DataDirectory})")
        .Concat(_directories.Select(d => d)));

    public async ValueTask DisposeAsync()
    {
        if (keep)
            return;
        for (int i = _clusters.Count - 1; i >= 0; i--)
            await _clusters[i].DisposeAsync().ConfigureAwait(false);
        foreach (string directory in _directories)
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }
}
