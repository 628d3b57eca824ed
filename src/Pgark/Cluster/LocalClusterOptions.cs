namespace Pgark.Cluster;

/// <summary>Authentication method of the pg_hba.conf presets.</summary>
public enum HbaPreset
{
    /// <summary>Everyone in without a password.</summary>
    Trust,
    /// <summary>md5 over TCP; passwords stored as md5 (password_encryption=md5).</summary>
    Md5,
    /// <summary>scram-sha-256 over TCP; passwords stored as SCRAM verifiers.</summary>
    ScramSha256,
}

/// <summary>Which TCP connections the preset's host lines match.</summary>
public enum HbaTransport
{
    /// <summary><c>host</c>: with or without TLS.</summary>
    Any,
    /// <summary><c>hostssl</c>: TLS only; plain TCP connections find no pg_hba entry.</summary>
    TlsOnly,
}

/// <summary>How to stop a server: PostgreSQL's shutdown modes.</summary>
public enum ShutdownMode
{
    /// <summary>SIGTERM: wait for clients to disconnect.</summary>
    Smart,
    /// <summary>SIGINT: disconnect clients, checkpoint, exit cleanly.</summary>
    Fast,
    /// <summary>SIGQUIT: exit at once; the next start runs crash recovery.</summary>
    Immediate,
}

/// <summary>How to create and run a scratch cluster. Every property has a default fit for tests.</summary>
public sealed record LocalClusterOptions
{
    /// <summary>Directory of the server programs; null searches (see <see cref="PgBinaries"/>).</summary>
    public string? BinDirectory { get; init; }
    /// <summary>Major version to use (13–18); null takes the first installation found.</summary>
    public int? Major { get; init; }
    /// <summary>
    /// Directory to create the cluster in (it must not exist or be empty); null makes a fresh directory under
    /// /tmp. Either way <see cref="LocalCluster.DisposeAsync"/> deletes it unless <see cref="KeepDirectory"/>.
    /// </summary>
    public string? Directory { get; init; }
    public bool KeepDirectory { get; init; }

    public string Superuser { get; init; } = "postgres";
    /// <summary>The superuser's password; null draws a random one (see <see cref="LocalCluster.Password"/>).</summary>
    public string? Password { get; init; }

    /// <summary>pg_hba.conf preset, used unless <see cref="HbaLines"/> is given.</summary>
    public HbaPreset Authentication { get; init; } = HbaPreset.Trust;
    public HbaTransport HbaTransport { get; init; } = HbaTransport.Any;
    /// <summary>Whether the preset has <c>replication</c> lines (a physical replication connection needs one).</summary>
    public bool AllowReplication { get; init; } = true;
    /// <summary>Complete pg_hba.conf lines replacing the preset, for the case under test.</summary>
    public IReadOnlyList<string>? HbaLines { get; init; }

    /// <summary>Generate a CA and server certificate and turn ssl on (see <see cref="LocalCluster.Tls"/>).</summary>
    public bool Tls { get; init; }
    /// <summary>fsync is off by default: a scratch cluster trades durability against an OS crash for speed.</summary>
    public bool Fsync { get; init; }
    public int MaxWalSenders { get; init; } = 10;
    public int MaxReplicationSlots { get; init; } = 10;
    /// <summary>Further postgresql.conf settings; they win over the ones above.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Account the server runs as when we are root; null means PGARK_SERVER_USER, else "postgres".</summary>
    public string? ServerUser { get; init; }
    /// <summary>How long a start or stop may take before it fails with the log tail.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(90);
}
