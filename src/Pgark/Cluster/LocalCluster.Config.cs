using System.Globalization;
using System.Text;

namespace Pgark.Cluster;

// initdb, postgresql.conf and pg_hba.conf.
public sealed partial class LocalCluster
{
    /// <summary>File in the data directory holding every setting pgark makes, included from postgresql.conf.</summary>
    public const string SettingsFileName = "pgark.conf";

    private static readonly TimeSpan s_initdbTimeout = TimeSpan.FromMinutes(3);

    private async Task InitdbAsync(CancellationToken cancellationToken)
    {
        // PostgreSQL 13's initdb stores a --pwfile verifier as if it were a plain password (md5 of the
        // verifier text); its ALTER ROLE keeps it. So 13 gets the password in single-user mode after initdb.
        bool passwordByInitdb = Installation.Major >= 14;
        // initdb runs as the server account, which reads the password file; it is deleted right after.
        string passwordFile = Path.Combine(Directory, "initdb.pw");
        WriteOwnedFile(passwordFile, StoredPassword() + "\n", UnixFiles.Private);
        try
        {
            List<string> arguments =
            [
                "-D", DataDirectory,
                "--data-checksums",
                "--encoding=UTF8", "--locale=C",
                "--username=" + Superuser,
                "--auth=trust", // replaced by pg_hba.conf below
                "--no-sync",    // scratch data: skip initdb's fsync of ~40 MB
            ];
            if (passwordByInitdb)
            {
                arguments.Add("--pwfile=" + passwordFile);
            }
            await _account.RunAsync(Installation.Initdb, arguments, Directory, s_initdbTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            File.Delete(passwordFile);
        }
        if (!passwordByInitdb)
        {
            await SetPasswordInSingleUserModeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SetPasswordInSingleUserModeAsync(CancellationToken cancellationToken)
    {
        string role = Superuser.Replace("\"", "\"\"", StringComparison.Ordinal);
        string output = await _account.RunAsync(Installation.Postgres, ["--single", "-D", DataDirectory, "postgres"],
            Directory, s_initdbTimeout, cancellationToken,
            standardInput: $"ALTER ROLE \"{role}\" PASSWORD '{StoredPassword()}';\n").ConfigureAwait(false);
        if (output.Contains("ERROR:", StringComparison.Ordinal))
        {
            throw new LocalClusterException($"could not set the superuser's password in single-user mode:\n{output.TrimEnd()}");
        }
    }

    /// <summary>
    /// The superuser's password in the form pg_authid will keep (see <see cref="PasswordVerifier"/>):
    /// md5 for the md5 preset, else a SCRAM verifier, so the preset's method really runs on every major.
    /// </summary>
    private string StoredPassword() => Options.Authentication == HbaPreset.Md5
        ? PasswordVerifier.Md5(Superuser, Password)
        : PasswordVerifier.ScramSha256(Password);

    /// <summary>Writes the settings file, the include line, pg_hba.conf and (if asked) the TLS files.</summary>
    private void Configure()
    {
        if (Options.Tls && Tls is null)
        {
            Tls = ClusterTls.Create(Path.Combine(Directory, "tls"), _account);
        }
        _settings = new Dictionary<string, string>(BaseSettings(), StringComparer.OrdinalIgnoreCase);
        foreach ((string name, string value) in Options.Settings)
        {
            _settings[name] = value;
        }
        WriteSettings();
        string postgresqlConf = Path.Combine(DataDirectory, "postgresql.conf");
        string include = $"include_if_exists = '{SettingsFileName}'";
        if (!File.ReadLines(postgresqlConf).Any(line => line.Trim() == include))
        {
            File.AppendAllText(postgresqlConf, $"\n# pgark's scratch-cluster settings win over the ones above\n{include}\n");
        }
        WriteHba(Options.HbaLines ?? PresetHbaLines());
    }

    private Dictionary<string, string> BaseSettings()
    {
        var settings = new Dictionary<string, string>
        {
            ["listen_addresses"] = Host,
            ["port"] = "0", // chosen at start
            ["unix_socket_directories"] = SocketDirectory,
            ["wal_level"] = "replica",
            ["max_wal_senders"] = Options.MaxWalSenders.ToString(CultureInfo.InvariantCulture),
            ["max_replication_slots"] = Options.MaxReplicationSlots.ToString(CultureInfo.InvariantCulture),
            ["fsync"] = Options.Fsync ? "on" : "off",
            ["password_encryption"] = Options.Authentication == HbaPreset.Md5 ? "md5" : "scram-sha-256",
            ["log_line_prefix"] = "%m [%p] ",
            ["logging_collector"] = "off", // the log must reach stderr, which start redirects into LogPath
        };
        if (Tls is not null)
        {
            settings["ssl"] = "on";
            settings["ssl_cert_file"] = Tls.ServerCertificatePath;
            settings["ssl_key_file"] = Tls.ServerKeyPath;
        }
        return settings;
    }

    /// <summary>
    /// Sets postgresql.conf parameters (in pgark.conf). Takes effect on <see cref="ReloadAsync"/> for
    /// reloadable parameters, else on the next start.
    /// </summary>
    public void SetSettings(IReadOnlyDictionary<string, string> settings)
    {
        foreach ((string name, string value) in settings)
        {
            _settings[name] = value;
        }
        WriteSettings();
    }

    /// <summary>The value pgark last wrote for a parameter, or null (the server's default applies).</summary>
    public string? GetSetting(string name) => _settings.GetValueOrDefault(name);

    private void WriteSettings()
    {
        var text = new StringBuilder("# Written by pgark's LocalCluster; rewritten on every change.\n");
        foreach ((string name, string value) in _settings)
        {
            text.Append(name).Append(" = '").Append(value.Replace("'", "''", StringComparison.Ordinal)).Append("'\n");
        }
        WriteOwnedFile(Path.Combine(DataDirectory, SettingsFileName), text.ToString(),
            UnixFiles.Private);
    }

    /// <summary>Replaces pg_hba.conf. Takes effect on <see cref="ReloadAsync"/> or the next start.</summary>
    public void WriteHba(IEnumerable<string> lines)
        => WriteOwnedFile(Path.Combine(DataDirectory, "pg_hba.conf"),
            "# Written by pgark's LocalCluster for the case under test.\n" + string.Join('\n', lines) + "\n",
            UnixFiles.Private);

    /// <summary>
    /// The preset: Unix-socket connections are trusted (administration, the readiness probe); TCP connections
    /// from 127.0.0.1 use the preset's method, with replication lines unless they are turned off.
    /// </summary>
    public IReadOnlyList<string> PresetHbaLines()
    {
        string type = Options.HbaTransport == HbaTransport.TlsOnly ? "hostssl" : "host";
        string method = Options.Authentication switch
        {
            HbaPreset.Md5 => "md5",
            HbaPreset.ScramSha256 => "scram-sha-256",
            _ => "trust",
        };
        var lines = new List<string> { "local all all trust", $"{type} all all 127.0.0.1/32 {method}" };
        if (Options.AllowReplication)
        {
            lines.Add("local replication all trust");
            lines.Add($"{type} replication all 127.0.0.1/32 {method}");
        }
        return lines;
    }

    private void WriteOwnedFile(string path, string contents, UnixFileMode mode)
    {
        bool existed = File.Exists(path);
        File.WriteAllText(path, contents); // truncating an existing file keeps its owner
        if (!existed)
        {
            UnixFiles.SetMode(path, mode);
            _account.Own(path);
        }
    }

    /// <summary>Hands an adopted data directory to the server account, mode 0700 as postgres demands.</summary>
    private void TakeOwnership(string dataDirectory)
    {
        UnixFiles.SetMode(dataDirectory, UnixFiles.PrivateDirectory);
        _account.Own(dataDirectory);
        foreach (string entry in System.IO.Directory.EnumerateFileSystemEntries(dataDirectory, "*", SearchOption.AllDirectories))
        {
            _account.Own(entry);
        }
    }
}
