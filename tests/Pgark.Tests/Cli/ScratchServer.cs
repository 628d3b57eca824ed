using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pgark.Tests.Cli;

/// <summary>
/// A throwaway PostgreSQL cluster from the installed server binaries, for ping's end-to-end tests: TCP on
/// 127.0.0.1 with SCRAM and MD5 roles, a role without REPLICATION and one without a pg_hba.conf line.
/// Runs the server as "postgres" when the tests run as root (PostgreSQL refuses to run as root).
/// TLS is on; role "tlsonly" may connect only over TLS (hostssl).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ScratchServer : IDisposable
{
    private static readonly string s_binaries = Environment.GetEnvironmentVariable("PGARK_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
    private readonly string _directory;

    public ScratchServer()
    {
        if (!File.Exists(Path.Combine(s_binaries, "initdb")))
            throw new InvalidOperationException($"PostgreSQL server binaries not found in {s_binaries}; install postgresql-15 or set PGARK_PG_BIN");
        _directory = Directory.CreateTempSubdirectory("pgark-ping-").FullName;
        Port = FreePort();
        string data = Path.Combine(_directory, "data");
        if (IsRoot)
            Run("chown", "postgres", _directory);

        RunAsServerUser("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C");
        WriteServerCertificate(data);
        File.WriteAllText(Path.Combine(data, "pg_hba.conf"), """
            hostssl replication  tlsonly   127.0.0.1/32   scram-sha-256
            local   all          postgres                 trust
            local   replication  postgres                 trust
            host    replication  repl      127.0.0.1/32   scram-sha-256
            host    replication  norepl    127.0.0.1/32   scram-sha-256
            host    replication  md5user   127.0.0.1/32   md5

            """);
        // pg_ctl -w returns once the server accepts connections: a condition, not a sleep.
        RunAsServerUser("pg_ctl", "-D", data, "-w", "-l", Path.Combine(_directory, "log"), "-o",
            $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c ssl=on", "start");
        Sql("SET password_encryption = 'scram-sha-256'; "
            + "CREATE ROLE repl LOGIN REPLICATION PASSWORD 'pw-repl'; "
            + "CREATE ROLE norepl LOGIN PASSWORD 'pw-norepl'; "
            + "CREATE ROLE nohba LOGIN REPLICATION PASSWORD 'pw-nohba'; "
            + "CREATE ROLE tlsonly LOGIN REPLICATION PASSWORD 'pw-tls'; "
            + "SET password_encryption = 'md5'; CREATE ROLE md5user LOGIN REPLICATION PASSWORD 'pw-md5';");
        SystemIdentifier = Sql("SELECT system_identifier FROM pg_control_system()").Trim();
    }

    public int Port { get; }

    /// <summary>Directory of the server's Unix socket.</summary>
    public string SocketDirectory => _directory;

    public string SystemIdentifier { get; }

    public string Sql(string sql) => RunAsServerUser("psql", "-h", _directory, "-p", Port.ToString(), "-U", "postgres", "-AtX", "-c", sql);

    public void Dispose()
    {
        try
        {
            RunAsServerUser("pg_ctl", "-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// server.crt/server.key in the data directory: ECDSA P-384 signed with SHA-384, so SCRAM-SHA-256-PLUS must hash
    /// the certificate with SHA-384 (RFC 5929) for the server to accept the channel binding.
    /// </summary>
    private static void WriteServerCertificate(string data)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA384);
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string certPath = Path.Combine(data, "server.crt"), keyPath = Path.Combine(data, "server.key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite); // the server refuses a readable key
        if (IsRoot)
            Run("chown", "postgres", certPath, keyPath);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RunAsServerUser(string tool, params string[] args)
    {
        string path = Path.Combine(s_binaries, tool);
        return IsRoot ? Run("runuser", ["-u", "postgres", "--", path, .. args]) : Run(path, args);
    }

    private static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
