using Pgark.Cli.Commands.Ping;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Tests.Cli;

/// <summary>ping's resolution of settings, its output and its failure mapping, with a recording probe in place of a server.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class PingCommandTests
{
    private static readonly ServerIdentity s_replicationRole =
        new("15.8 (Debian 15.8-1)", 150008, 7301234567890123456UL, 3, "0/3000148", IsSuperuser: false, Tls: true, "SCRAM-SHA-256");

    [Fact]
    public void TextOutputNamesEverything()
    {
        var probe = new CliRunner.RecordingProbe(s_replicationRole);
        CliRunner.Result result = CliRunner.Run(["ping", "--db", "host=db1 user=backup"], probe: probe);
        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        Assert.Equal("""
            server:        PostgreSQL 15.8 (Debian 15.8-1)
            connection:    user=backup database=replication host=db1 port=5432 (TLS, SCRAM-SHA-256)
            system id:     7301234567890123456
            timeline:      3
            WAL position:  0/3000148
            backup:        allowed (the role has the REPLICATION attribute)

            """, result.Out);
    }

    [Fact]
    public void JsonOutputIsOneObject()
    {
        var probe = new CliRunner.RecordingProbe(s_replicationRole with { IsSuperuser = true, Tls = false });
        CliRunner.Result result = CliRunner.Run(["ping", "--json", "--db", "postgresql://backup@db1:6000/"], probe: probe);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("""
            {
              "server_version": "15.8 (Debian 15.8-1)",
              "server_version_num": 150008,
              "system_identifier": "7301234567890123456",
              "timeline": 3,
              "wal_position": "0/3000148",
              "user": "backup",
              "connection": "user=backup database=replication host=db1 port=6000",
              "tls": false,
              "authentication": "SCRAM-SHA-256",
              "superuser": true,
              "can_backup": true
            }

            """, result.Out);
    }

    [Fact]
    public void ConnectsAsPhysicalReplicationWithLibpqEnvironment()
    {
        var probe = new CliRunner.RecordingProbe(s_replicationRole);
        var env = new Dictionary<string, string?> { ["PGHOST"] = "envhost", ["PGUSER"] = "envuser", ["PGPASSWORD"] = "pw", ["PGDATABASE"] = "app" };
        CliRunner.Run(["ping"], env, probe);
        ConnectionSettings s = probe.Settings!;
        Assert.Equal(("envhost", "envuser", "pw", ReplicationMode.Physical, "replication"), (s.Host, s.User, s.Password, s.Replication, s.Database));
        Assert.Equal(TimeSpan.FromSeconds(30), s.ConnectTimeout);
    }

    [Fact]
    public void PgarkDbAndConnectTimeoutOverride()
    {
        var probe = new CliRunner.RecordingProbe(s_replicationRole);
        var env = new Dictionary<string, string?> { ["PGARK_DB"] = "host=fromenv connect_timeout=9", ["PGHOST"] = "ignored" };
        CliRunner.Run(["ping", "--connect-timeout", "4"], env, probe);
        Assert.Equal(("fromenv", TimeSpan.FromSeconds(4)), (probe.Settings!.Host, probe.Settings.ConnectTimeout));

        CliRunner.Run(["ping", "--connect-timeout=0"], env, probe);
        Assert.Equal(Timeout.InfiniteTimeSpan, probe.Settings!.ConnectTimeout);
    }

    [Fact]
    public void BadConninfoIsExitCode2BeforeAnyConnection()
    {
        var probe = new CliRunner.RecordingProbe(s_replicationRole);
        CliRunner.Result result = CliRunner.Run(["ping", "--db", "host=db1 sslmode=strict"], probe: probe);
        Assert.Equal(2, result.ExitCode);
        Assert.Null(probe.Settings);
        Assert.Equal("pgark: invalid connection string: invalid sslmode value \"strict\"; allowed values are disable, allow, prefer, require, verify-ca, verify-full\n"
                     + "hint: fix --db (or PGARK_DB / the PG* variables); it takes key=value pairs such as \"host=db1 user=backup\" or a postgresql:// URI\n",
            result.Error);
    }

    [Fact]
    public void PassfileWarningIsPrintedAndPingGoesOn()
    {
        string home = Directory.CreateTempSubdirectory("pgark-home-").FullName;
        try
        {
            string passfile = Path.Combine(home, ".pgpass");
            File.WriteAllText(passfile, "*:*:*:*:secret\n");
            File.SetUnixFileMode(passfile, UnixFileMode.UserRead | UnixFileMode.OtherRead);
            var probe = new CliRunner.RecordingProbe(s_replicationRole);
            CliRunner.Result result = CliRunner.Run(["ping", "--db", "host=db1"], new() { ["HOME"] = home }, probe);
            Assert.Equal(0, result.ExitCode);
            Assert.Null(probe.Settings!.Password);
            Assert.Equal($"pgark: warning: password file \"{passfile}\" has group or world access; permissions should be u=rw (0600) or less\n",
                result.Error);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public void ServerRefusalBecomesTwoLinesAndItsExitCode()
    {
        var server = new PgServerException("FATAL", "42501", "must be superuser or replication role to start walsender", null, null,
            new Dictionary<char, string>());
        var probe = new CliRunner.RecordingProbe(failure: new PgConnectionException(PgConnectionFailure.Rejected,
            "the server refused the session (user=norepl): must be superuser or replication role to start walsender (SQLSTATE 42501); hint: x", server));
        CliRunner.Result result = CliRunner.Run(["ping", "--db", "host=db1 user=norepl"], probe: probe);
        Assert.Equal((4, ""), (result.ExitCode, result.Out));
        Assert.Equal("pgark: the server refused the session (user=norepl): must be superuser or replication role to start walsender (SQLSTATE 42501)\n"
                     + "hint: as a superuser, run: ALTER ROLE \"norepl\" REPLICATION; (replication connections and backups need it)\n", result.Error);
    }

    [Fact]
    public void VerbosePrintsTheStackTrace()
    {
        var probe = new CliRunner.RecordingProbe(failure: new InvalidOperationException("boom"));
        CliRunner.Result quiet = CliRunner.Run(["ping"], probe: probe);
        CliRunner.Result verbose = CliRunner.Run(["ping", "--verbose"], probe: probe);
        Assert.Equal((70, 70), (quiet.ExitCode, verbose.ExitCode));
        Assert.DoesNotContain("   at ", quiet.Error);
        Assert.StartsWith("pgark: internal error: InvalidOperationException: boom\nhint: this is a bug in pgark; rerun with --verbose and report the output\n"
                          + "System.InvalidOperationException: boom\n", verbose.Error);
        Assert.Contains("   at ", verbose.Error);
    }

    [Fact]
    public void InterruptIsExitCode8()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        CliRunner.Result result = CliRunner.Run(["ping"], probe: new CliRunner.RecordingProbe(s_replicationRole), cancellationToken: cancelled.Token);
        Assert.Equal(8, result.ExitCode);
        Assert.StartsWith("pgark: interrupted\n", result.Error);
    }
}
