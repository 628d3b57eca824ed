using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Pgark.Cluster;

// Connection strings for callers: libpq's key=value form (pgark's own parser reads it) and Npgsql's form (tests' oracle).
public sealed partial class LocalCluster
{
    /// <summary>
    /// A libpq conninfo string (<c>host=127.0.0.1 port=… user=… password=… dbname=…</c>).
    /// Without <paramref name="user"/> it connects as the superuser with <see cref="Password"/>.
    /// </summary>
    /// <param name="replication">null, "true" (physical) or "database" (logical).</param>
    /// <param name="sslMode">libpq sslmode; for verify-ca and verify-full, sslrootcert is the generated CA.</param>
    /// <param name="host">Override the host: "localhost" (the certificate's DNS name) or <see cref="SocketDirectory"/>.</param>
    /// <param name="extra">Further key=value pairs, e.g. channel_binding=require.</param>
    public string ConnInfo(string database = "postgres", string? user = null, string? password = null,
        string? replication = null, string? sslMode = null, string? host = null,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var pairs = new List<(string, string)>
        {
            ("host", host ?? Host),
            ("port", Port.ToString(CultureInfo.InvariantCulture)),
            ("user", user ?? Superuser),
            ("dbname", database),
        };
        if ((password ?? (user is null ? Password : null)) is { } pw)
        {
            pairs.Add(("password", pw));
        }
        if (replication is not null)
        {
            pairs.Add(("replication", replication));
        }
        if (sslMode is not null)
        {
            pairs.Add(("sslmode", sslMode));
            if (sslMode.StartsWith("verify", StringComparison.Ordinal) && CaCertificatePath is { } ca)
            {
                pairs.Add(("sslrootcert", ca));
            }
        }
        foreach ((string key, string value) in extra ?? new Dictionary<string, string>())
        {
            pairs.Add((key, value));
        }
        return string.Join(' ', pairs.Select(p => $"{p.Item1}={QuoteConnInfoValue(p.Item2)}"));
    }

    /// <summary>
    /// An Npgsql connection string to the same server. Pooling is off: a pooled connection would outlive the
    /// restarts and kills that tests put the server through.
    /// </summary>
    /// <param name="sslMode">Npgsql's SSL Mode (Disable, Require, VerifyCA, VerifyFull); Root Certificate is the generated CA.</param>
    public string NpgsqlConnectionString(string database = "postgres", string? user = null, string? password = null,
        string? sslMode = null, string? host = null)
    {
        var builder = new DbConnectionStringBuilder
        {
            ["Host"] = host ?? Host,
            ["Port"] = Port,
            ["Username"] = user ?? Superuser,
            ["Database"] = database,
            ["Pooling"] = false,
            ["Include Error Detail"] = true,
        };
        if ((password ?? (user is null ? Password : null)) is { } pw)
        {
            builder["Password"] = pw;
        }
        if (sslMode is not null)
        {
            builder["SSL Mode"] = sslMode;
            if (CaCertificatePath is { } ca)
            {
                builder["Root Certificate"] = ca;
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>libpq quoting: single quotes around empty values or ones with spaces, quotes or backslashes.</summary>
    internal static string QuoteConnInfoValue(string value)
    {
        if (value.Length > 0 && !value.Any(c => c is ' ' or '\'' or '\\' or '\t' or '\n'))
        {
            return value;
        }
        var quoted = new StringBuilder("'");
        foreach (char c in value)
        {
            if (c is '\'' or '\\')
            {
                quoted.Append('\\');
            }
            quoted.Append(c);
        }
        return quoted.Append('\'').ToString();
    }
}
