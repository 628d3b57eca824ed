namespace Pgark.Wire.Connection;

/// <summary>libpq's sslmode values.</summary>
public enum SslMode { Disable, Allow, Prefer, Require, VerifyCa, VerifyFull }

/// <summary>The startup parameter "replication": none, physical (<c>true</c>) or logical (<c>database</c>).</summary>
public enum ReplicationMode { None, Physical, Database }

/// <summary>
/// Everything needed to open one connection, resolved with libpq's precedence
/// (explicit conninfo, then PG* environment variables, then built-in defaults; password last from the passfile).
/// </summary>
public sealed partial record ConnectionSettings
{
    /// <summary>Host name or address; a value starting with '/' is the directory of a Unix-domain socket.</summary>
    public string Host { get; init; } = "/var/run/postgresql";
    public int Port { get; init; } = 5432;
    public string User { get; init; } = "postgres";
    public string? Password { get; init; }
    public string Database { get; init; } = "postgres";
    public SslMode SslMode { get; init; } = SslMode.Prefer;
    /// <summary>CA certificate file for verify-ca / verify-full.</summary>
    public string? SslRootCert { get; init; }
    public string ApplicationName { get; init; } = "pgark";
    public ReplicationMode Replication { get; init; } = ReplicationMode.None;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Passfile consulted when no password is given (PGPASSFILE or ~/.pgpass).</summary>
    public string? PassFile { get; init; }
    /// <summary>Channel binding: "prefer" (default), "require" or "disable".</summary>
    public string ChannelBinding { get; init; } = "prefer";
    /// <summary>Further startup parameters sent verbatim (e.g. options, client_encoding is always UTF8).</summary>
    public IReadOnlyDictionary<string, string> StartupParameters { get; init; } = new Dictionary<string, string>();

    public bool IsUnixSocket => Host.StartsWith('/');

    /// <summary>
    /// Parses a libpq URI (<c>postgresql://…</c>) or <c>key=value</c> string, fills the rest from
    /// <paramref name="environment"/> (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT,
    /// PGPASSFILE, PGAPPNAME, PGCONNECT_TIMEOUT, PGCHANNELBINDING; null means the process environment), then the
    /// password from the passfile. Throws <see cref="ConnectionStringException"/> naming the offending part.
    /// </summary>
    public static ConnectionSettings Parse(string? conninfo, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Func<string, string?> env = EnvironmentLookup(environment);
        return Resolve(conninfo, replicationOverride: null, env, ConnectionDefaults.FromSystem(env));
    }

    /// <summary>Human-readable form with the password redacted, for messages and logs.</summary>
    public string ToDisplayString() => IsUnixSocket
        ? $"user={User} database={Database} socket={Host}/.s.PGSQL.{Port}"
        : $"user={User} database={Database} host={Host} port={Port}";
}
