using System.Globalization;

namespace Pgark.Wire.Connection;

/// <summary>Resolving a connection string into settings: libpq's precedence, validation and the passfile.</summary>
/// <remarks>
/// Deliberate differences from libpq, each because pgark talks to one server at a time:
/// <list type="bullet">
/// <item>Several hosts ("host=a,b" or "postgresql://a,b/") are refused with "multiple hosts not supported yet".</item>
/// <item>hostaddr is an alias of host (used only when host is not given); pgark resolves names itself.</item>
/// <item>The default socket directory is the first of /var/run/postgresql and /tmp that exists, see <see cref="ConnectionDefaults"/>.</item>
/// <item>connect_timeout defaults to 30 s rather than forever; 0 means forever; 1 means 2 s, as in libpq.</item>
/// </list>
/// </remarks>
public sealed partial record ConnectionSettings
{
    private const int DefaultPort = 5432;
    private static readonly string[] s_sslModeNames = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
    private static readonly string[] s_channelBindingNames = ["disable", "prefer", "require"];

    /// <summary>Warnings met while resolving (e.g. an ignored passfile), for the caller to print; libpq writes them to stderr.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Every environment variable <see cref="Parse(string?, IReadOnlyDictionary{string, string?}?)"/> may read.</summary>
    public static IReadOnlyList<string> EnvironmentVariables { get; } =
        [.. ConnectionOption.All.Select(o => o.EnvironmentVariable).OfType<string>(), "HOME"];

    /// <summary>
    /// As <see cref="Parse(string?, IReadOnlyDictionary{string, string?}?)"/>, for a connection in the given
    /// replication mode regardless of a "replication" keyword in <paramref name="conninfo"/>. For
    /// <see cref="ReplicationMode.Physical"/> an unspecified dbname becomes "replication", as pg_basebackup does,
    /// so a passfile line for database "replication" matches (the server ignores the name).
    /// </summary>
    public static ConnectionSettings Parse(string? conninfo, ReplicationMode replication, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Func<string, string?> env = EnvironmentLookup(environment);
        return Resolve(conninfo, replication, env, ConnectionDefaults.FromSystem(env));
    }

    private static Func<string, string?> EnvironmentLookup(IReadOnlyDictionary<string, string?>? environment)
        => environment is null ? Environment.GetEnvironmentVariable : name => environment.GetValueOrDefault(name);

    internal static ConnectionSettings Resolve(string? conninfo, ReplicationMode? replicationOverride,
        Func<string, string?> environment, ConnectionDefaults defaults)
    {
        var values = new ResolvedValues(ParseExplicit(conninfo), environment);

        string host = SingleHost(values.Get("host") is { Value.Length: > 0 } h ? h : values.Get("hostaddr"))
                      ?? defaults.SocketDirectory;
        int port = ParsePort(values.Get("port"));
        string user = values.Get("user") is { Value.Length: > 0 } u ? u.Value : defaults.OsUserName;
        ReplicationMode replication = replicationOverride ?? ParseReplication(values.Get("replication"));
        string database = ResolveDatabase(values, replication, user);

        var warnings = new List<string>();
        string? passFile = NonEmpty(values.Get("passfile")?.Value)
                           ?? (defaults.HomeDirectory is null ? null : Path.Combine(defaults.HomeDirectory, ".pgpass"));
        string? password = NonEmpty(values.Get("password")?.Value);
        if (password is null && passFile is not null)
        {
            // libpq matches a socket in its default directory as "localhost"; any other socket directory by its path.
            string passHost = host == defaults.SocketDirectory ? "localhost" : host;
            password = PgPassFile.FindPassword(passFile, passHost, port.ToString(CultureInfo.InvariantCulture), database, user, warnings);
        }

        var startup = new Dictionary<string, string>();
        if (NonEmpty(values.Get("options")?.Value) is { } options)
            startup["options"] = options;

        return new ConnectionSettings
        {
            Host = host,
            Port = port,
            User = user,
            Password = password,
            Database = database,
            SslMode = ParseSslMode(values.Get("sslmode")),
            SslRootCert = NonEmpty(values.Get("sslrootcert")?.Value),
            ApplicationName = NonEmpty(values.Get("application_name")?.Value) ?? "pgark",
            Replication = replication,
            ConnectTimeout = ParseConnectTimeout(values.Get("connect_timeout")),
            PassFile = passFile,
            ChannelBinding = ParseChoice(values.Get("channel_binding"), s_channelBindingNames) ?? "prefer",
            StartupParameters = startup,
            Warnings = warnings,
        };
    }

    private static Dictionary<string, string> ParseExplicit(string? conninfo)
    {
        var explicitValues = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(conninfo))
            return explicitValues;
        foreach ((string key, string value) in ConnInfoParser.Parse(conninfo))
        {
            if (ConnectionOption.Find(key) is null)
                throw new ConnectionStringException(
                    $"invalid connection option \"{key}\"; known options are {ConnectionOption.KnownKeywords}");
            explicitValues[key] = value; // the last occurrence wins, as in libpq
        }
        return explicitValues;
    }

    private static string ResolveDatabase(ResolvedValues values, ReplicationMode replication, string user)
    {
        if (replication == ReplicationMode.Physical)
            return values.GetExplicit("dbname") is { Length: > 0 } explicitName ? explicitName : "replication";
        return values.Get("dbname") is { Value.Length: > 0 } d ? d.Value : user;
    }

    private static string? SingleHost(Setting? setting)
    {
        if (setting is not { Value.Length: > 0 } s)
            return null;
        if (s.Value.Contains(','))
            throw new ConnectionStringException(
                $"multiple hosts not supported yet: {s.Keyword} \"{s.Value}\"{s.Source}; give a single host");
        return s.Value;
    }

    private static int ParsePort(Setting? setting)
    {
        if (setting is not { Value.Length: > 0 } s)
            return DefaultPort;
        if (s.Value.Contains(','))
            throw new ConnectionStringException($"multiple hosts not supported yet: port \"{s.Value}\"{s.Source}; give a single port");
        if (!int.TryParse(s.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new ConnectionStringException($"invalid port value \"{s.Value}\"{s.Source}; allowed values are integers from 1 to 65535");
        return port;
    }

    private static SslMode ParseSslMode(Setting? setting)
        => ParseChoice(setting, s_sslModeNames) switch
        {
            null or "prefer" => SslMode.Prefer,
            "disable" => SslMode.Disable,
            "allow" => SslMode.Allow,
            "require" => SslMode.Require,
            "verify-ca" => SslMode.VerifyCa,
            _ => SslMode.VerifyFull,
        };

    private static string? ParseChoice(Setting? setting, string[] allowed)
    {
        if (setting is not { Value.Length: > 0 } s)
            return null;
        if (Array.IndexOf(allowed, s.Value) < 0)
            throw new ConnectionStringException(
                $"invalid {s.Keyword} value \"{s.Value}\"{s.Source}; allowed values are {string.Join(", ", allowed)}");
        return s.Value;
    }

    private static ReplicationMode ParseReplication(Setting? setting)
    {
        if (setting is not { Value.Length: > 0 } s)
            return ReplicationMode.None;
        return s.Value.ToLowerInvariant() switch
        {
            "true" or "on" or "yes" or "1" => ReplicationMode.Physical,
            "false" or "off" or "no" or "0" => ReplicationMode.None,
            "database" => ReplicationMode.Database,
            _ => throw new ConnectionStringException(
                $"invalid replication value \"{s.Value}\"{s.Source}; allowed values are true, on, yes, 1, false, off, no, 0, database"),
        };
    }

    private static TimeSpan ParseConnectTimeout(Setting? setting)
    {
        if (setting is not { Value.Length: > 0 } s)
            return TimeSpan.FromSeconds(30);
        if (!int.TryParse(s.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seconds))
            throw new ConnectionStringException(
                $"invalid connect_timeout value \"{s.Value}\"{s.Source}; allowed values are whole seconds (0 waits forever)");
        // libpq: zero or negative waits forever, and 1 s is raised to 2 s because its clock has 1 s granularity.
        return seconds <= 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Math.Max(seconds, 2));
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>A value and where it came from: Source is "" for the conninfo, " (from PGxxx)" for the environment.</summary>
    private sealed record Setting(string Keyword, string Value, string Source);

    /// <summary>Explicit values first, then the keyword's environment variable; an explicit empty value blocks the environment.</summary>
    private sealed class ResolvedValues(Dictionary<string, string> explicitValues, Func<string, string?> environment)
    {
        public Setting? Get(string keyword)
        {
            if (explicitValues.TryGetValue(keyword, out string? value))
                return new Setting(keyword, value, "");
            string? variable = ConnectionOption.Find(keyword)!.EnvironmentVariable;
            return variable is not null && environment(variable) is { } fromEnvironment
                ? new Setting(keyword, fromEnvironment, $" (from {variable})")
                : null;
        }

        public string? GetExplicit(string keyword) => explicitValues.GetValueOrDefault(keyword);
    }
}
