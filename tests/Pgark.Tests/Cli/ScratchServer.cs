using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pgark.Tests.Cli;

/// <summary>
/// A throwaway PostgreSQL cluster from the installed server binaries, for ping's end-to-end tests: TCP on
/// 127.0.0.1 with SCRAM and MD5 roles, a role without REPLICATION and one without a pg_hba.conf line.
/// Runs the server as "postgres" when the tests run as root (PostgreSQL refuses to run as root).
/// </summary>
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
        File.WriteAllText(Path.Combine(data, "pg_hba.conf"), """
            local   all          postgres                 trust
            local   replication  postgres                 trust
            host    replication  repl      127.0.0.1/32   scram-sha-256
            host    replication  norepl    127.0.0.1/32   scram-sha-256
            host    replication  md5user   127.0.0.1/32   md5

            """);
        // pg_ctl -w returns once the server accepts connections: a condition, not a sleep.
        RunAsServerUser("pg_ctl", "-D", data, "-w", "-l", Path.Combine(_directory, "log"), "-o",
            $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1", "start");
        Sql("SET password_encryption = 'scram-sha-256'; "
            + "CREATE ROLE repl LOGIN REPLICATION PASSWORD 'pw-repl'; "
            + "CREATE ROLE norepl LOGIN PASSWORD 'pw-norepl'; "
            + "CREATE ROLE nohba LOGIN REPLICATION PASSWORD 'pw-nohba'; "
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
