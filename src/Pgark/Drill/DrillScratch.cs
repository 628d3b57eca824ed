using System.Security.Cryptography;
using Pgark.Cluster;

namespace Pgark.Drill;

/// <summary>
/// The drill's scratch directory (restored data in data/, the server's own files in server/) and its server. Disposal
/// stops the server and deletes everything, unless the drill keeps them: then the server is left running, out of the
/// reach of the process-exit reaper, and <see cref="Describe"/> says where it is.
/// </summary>
internal sealed class DrillScratch : IAsyncDisposable
{
    private readonly bool _keep;

    public DrillScratch(string? parent, bool keep)
    {
        _keep = keep;
        string root = parent ?? "/tmp";
        Directory = Path.Combine(Path.GetFullPath(root), "pgark-drill-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)));
        // The server account must be able to reach data/ and server/ below it: 0755 like /tmp's own directories.
        UnixFiles.CreateDirectory(Directory, UnixFiles.OpenDirectory);
    }

    public string Directory { get; }
    public string DataDirectory => Path.Combine(Directory, "data");
    public string ServerDirectory => Path.Combine(Directory, "server");
    public LocalCluster? Server { get; private set; }

    public LocalClusterOptions ClusterOptions(PgInstallation installation, TimeSpan timeout) => new()
    {
        BinDirectory = installation.BinDirectory,
        Major = installation.Major,
        Directory = ServerDirectory,
        KeepDirectory = _keep,
        Timeout = timeout,
    };

    public LocalCluster Adopt(LocalCluster server) => Server = server;

    public KeptServer? Describe() => _keep && Server is { } server
        ? new KeptServer(Directory, server.DataDirectory, server.ConnInfo(), server.PostmasterProcessId)
        : null;

    public async ValueTask DisposeAsync()
    {
        if (_keep)
        {
            // Leave it running after pgark exits: the reaper would otherwise kill it at process exit.
            if (Server is not null)
                ClusterReaper.Unregister(Server);
            return;
        }
        if (Server is not null)
            await Server.DisposeAsync().ConfigureAwait(false);
        try
        {
            if (System.IO.Directory.Exists(Directory))
                System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Scratch space: a leftover is harmless and named in the drill's output only when kept.
        }
    }
}
