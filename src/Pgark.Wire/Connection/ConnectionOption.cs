namespace Pgark.Wire.Connection;

/// <summary>One keyword pgark accepts in a connection string, and the environment variable that backs it.</summary>
internal sealed record ConnectionOption(string Keyword, string? EnvironmentVariable)
{
    /// <summary>The keywords pgark understands, in the order error messages list them. A subset of libpq's.</summary>
    public static readonly ConnectionOption[] All =
    [
        new("host", "PGHOST"),
        new("hostaddr", "PGHOSTADDR"),
        new("port", "PGPORT"),
        new("user", "PGUSER"),
        new("password", "PGPASSWORD"),
        new("dbname", "PGDATABASE"),
        new("sslmode", "PGSSLMODE"),
        new("sslrootcert", "PGSSLROOTCERT"),
        new("application_name", "PGAPPNAME"),
        new("connect_timeout", "PGCONNECT_TIMEOUT"),
        new("passfile", "PGPASSFILE"),
        new("channel_binding", "PGCHANNELBINDING"),
        new("replication", null),
        new("options", "PGOPTIONS"),
    ];

    public static ConnectionOption? Find(string keyword) => Array.Find(All, o => o.Keyword == keyword);

    public static string KnownKeywords => string.Join(", ", All.Select(o => o.Keyword));
}
