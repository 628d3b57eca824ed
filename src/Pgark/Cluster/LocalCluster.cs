using System.Diagnostics;
using System.Security.Cryptography;

namespace Pgark.Cluster;

/// <summary>
/// A scratch PostgreSQL server for tests, <c>pgark demo</c> and restore drills: its own directory (data,
/// socket, log, certificates), a free TCP port on 127.0.0.1, data checksums on, wal_level=replica, and the
/// pg_hba.conf of the case under test. Runs as the unprivileged server account when we are root.
/// Not thread-safe: one caller drives one cluster. Dispose always stops the server and deletes the directory.
/// </summary>
/// <example><code>
/// await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Tls = true });
/// string conninfo = cluster.ConnInfo(database: "postgres", sslMode: "verify-full");
/// </code></example>
public sealed partial class LocalCluster : IAsyncDisposable
{
    public const string Host = "127.0.0.1";

    private readonly ServerAccount _account;
    private readonly string? _separateSocketDirectory;
    private Dictionary<string, string> _settings = new(StringComparer.OrdinalIgnoreCase);
    private Process? _postmaster;
    private bool _disposed;

    private LocalCluster(LocalClusterOptions options, PgInstallation installation, ServerAccount account,
        string directory, string dataDirectory, string password)
    {
        Options = options;
        Installation = installation;
        _account = account;
        Directory = directory;
        DataDirectory = dataDirectory;
        Password = password;
        LogPath = Path.Combine(directory, "postgresql.log");
        string socketDirectory = Path.Combine(directory, "run");
        // sockaddr_un holds 107 bytes; a deep caller-given directory gets a short socket directory in /tmp.
        if (Path.Combine(socketDirectory, ".s.PGSQL.65535").Length > 100)
        {
            _separateSocketDirectory = socketDirectory = NewTempDirectory("pgark-socket-");
        }
        SocketDirectory = socketDirectory;
    }

    public LocalClusterOptions Options { get; }
    public PgInstallation Installation { get; }
    /// <summary>The cluster's own directory: data/, run/ (socket), tls/, postgresql.log.</summary>
    public string Directory { get; }
    /// <summary>PGDATA.</summary>
    public string DataDirectory { get; }
    /// <summary>unix_socket_directories: connect with host set to this directory.</summary>
    public string SocketDirectory { get; }
    /// <summary>The server's stderr log (all of it, across restarts).</summary>
    public string LogPath { get; }
    /// <summary>TCP port on <see cref="Host"/>; fixed at the first start, kept across restarts.</summary>
    public int Port { get; private set; }
    public string Superuser => Options.Superuser;
    public string Password { get; }
    /// <summary>The generated certificates when <see cref="LocalClusterOptions.Tls"/> is on, else null.</summary>
    public ClusterTls? Tls { get; private set; }
    /// <summary>sslrootcert for clients: the generated CA, or null without TLS.</summary>
    public string? CaCertificatePath => Tls?.CaCertificatePath;
    /// <summary>Operating-system account the server runs as.</summary>
    public string ServerUser => _account.Name;
    public bool IsRunning => _postmaster is { HasExited: false };
    /// <summary>Process id of the running postmaster, or null when stopped.</summary>
    public int? PostmasterProcessId => IsRunning ? _postmaster!.Id : null;

    /// <summary>Creates a cluster (initdb and configuration) and starts it.</summary>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        LocalCluster cluster = await CreateAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            await cluster.StartAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates a cluster (initdb and configuration) without starting it.</summary>
    public static async Task<LocalCluster> CreateAsync(LocalClusterOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new LocalClusterOptions();
        LocalCluster cluster = Prepare(options, dataDirectory: null);
        try
        {
            await cluster.InitdbAsync(cancellationToken).ConfigureAwait(false);
            cluster.Configure();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Adopts an existing data directory (e.g. a restored backup) without initdb: hands it to the server
    /// account, adds pgark's settings (port, socket, listen address) and pg_hba.conf, and does not start it.
    /// Dispose deletes <paramref name="dataDirectory"/> too unless <see cref="LocalClusterOptions.KeepDirectory"/>.
    /// </summary>
    public static LocalCluster Adopt(string dataDirectory, LocalClusterOptions? options = null)
    {
        options ??= new LocalClusterOptions();
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            throw new LocalClusterException($"{dataDirectory} is not a PostgreSQL data directory (no PG_VERSION)");
        }
        LocalCluster cluster = Prepare(options, Path.GetFullPath(dataDirectory));
        cluster.TakeOwnership(cluster.DataDirectory);
        cluster.Configure();
        return cluster;
    }

    private static LocalCluster Prepare(LocalClusterOptions options, string? dataDirectory)
    {
        PgInstallation installation = PgBinaries.Find(options.Major, options.BinDirectory);
        ServerAccount account = ServerAccount.Resolve(options.ServerUser);
        ClusterReaper.SweepStale();
        if (options.Directory is { } given)
        {
            account.EnsureCanReach(Path.GetFullPath(given)); // before creating anything there
        }
        if (dataDirectory is not null)
        {
            account.EnsureCanReach(dataDirectory);
        }
        string directory = options.Directory is { } dir ? CreateGivenDirectory(dir) : NewTempDirectory("pgark-cluster-");
        string password = options.Password ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var cluster = new LocalCluster(options, installation, account, directory,
            dataDirectory ?? Path.Combine(directory, "data"), password);
        ClusterReaper.Register(cluster);
        foreach (string owned in (string[])[directory, Path.Combine(directory, "run"), cluster.SocketDirectory])
        {
            System.IO.Directory.CreateDirectory(owned);
            account.Own(owned);
        }
        return cluster;
    }

    private static string CreateGivenDirectory(string given)
    {
        string full = Path.GetFullPath(given);
        if (System.IO.Directory.Exists(full) && System.IO.Directory.EnumerateFileSystemEntries(full).Any())
        {
            throw new LocalClusterException($"the cluster directory {full} is not empty",
                "give a new or empty directory, or leave Directory unset for a fresh one under /tmp");
        }
        System.IO.Directory.CreateDirectory(full);
        return full;
    }

    /// <summary>
    /// A fresh directory under /tmp (the server account can always reach /tmp, while a TMPDIR under /root is
    /// closed to it), readable by others so clients can read the CA certificate.
    /// </summary>
    private static string NewTempDirectory(string prefix)
    {
        string tempRoot = Environment.IsPrivilegedProcess ? "/tmp" : Path.GetTempPath();
        string path = Path.Combine(tempRoot, prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)));
        UnixFiles.CreateDirectory(path, UnixFiles.OpenDirectory);
        return path;
    }

    /// <summary>The last <paramref name="lines"/> lines of the server log, for error messages.</summary>
    public string ReadLogTail(int lines = 30)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            const int window = 16 * 1024;
            stream.Seek(Math.Max(0, stream.Length - window), SeekOrigin.Begin);
            string[] all = new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no server log)";
        }
    }

    /// <summary>Stops the server at once (immediate, then SIGKILL if need be) and deletes the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            if (IsRunning)
            {
                await StopOrKillAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _postmaster?.Dispose();
            DeleteDirectories();
            ClusterReaper.Unregister(this);
        }
    }

    /// <summary>The synchronous last resort of <see cref="ClusterReaper"/> at process exit.</summary>
    internal void KillAtExit()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_postmaster is { HasExited: false } postmaster)
        {
            ProcessTree.WaitUntilGone(KillProcessTree(postmaster.Id), TimeSpan.FromSeconds(5));
        }
        DeleteDirectories();
    }

    private void DeleteDirectories()
    {
        if (Options.KeepDirectory)
        {
            return;
        }
        TryDelete(Directory);
        TryDelete(DataDirectory.StartsWith(Directory + "/", StringComparison.Ordinal) ? null : DataDirectory);
        TryDelete(_separateSocketDirectory);
    }

    private static void TryDelete(string? path)
    {
        try
        {
            if (path is not null && System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A child still exiting may hold a file a moment longer; the stale sweep removes what is left.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Creates an empty directory the server may use (a tablespace location): mode 0700, owned by the server's account when
    /// the server runs as another user than this process.
    /// </summary>
    public string CreateServerDirectory(string path)
    {
        UnixFiles.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Environment.IsPrivilegedProcess)
            Posix.ChangeOwner(path, _account);
        return path;
    }

    public override string ToString() => $"cluster {Installation.Version} on {Host}:{Port} in {Directory}";
}
