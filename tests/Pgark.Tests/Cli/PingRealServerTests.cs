using System.Net;
using System.Net.Sockets;

namespace Pgark.Tests.Cli;

/// <summary>pgark ping end to end against a real PostgreSQL: success and each failure the brief names, with exact exit codes.</summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PingRealServerTests(ScratchServer server) : IClassFixture<ScratchServer>
{
    private CliRunner.Result Ping(string conninfo, params string[] more)
        => CliRunner.Run(["ping", "--db", conninfo, .. more], probe: new Pgark.Cli.Commands.Ping.WireServerProbe());

    private string Tcp(string user, string? password = null)
        => $"host=127.0.0.1 port={server.Port} user={user}" + (password is null ? "" : $" password={password}");

    [Fact]
    public void SuperuserOverUnixSocket()
    {
        CliRunner.Result result = Ping($"host={server.SocketDirectory} port={server.Port} user=postgres");
        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        Assert.Contains($"\nsystem id:     {server.SystemIdentifier}\n", result.Out);
        Assert.Contains("\ntimeline:      1\n", result.Out);
        Assert.Contains("\nbackup:        allowed (the role is a superuser)\n", result.Out);
        Assert.Contains("(Unix socket, trust)", result.Out);
    }

    [Theory]
    [InlineData("repl", "pw-repl", "sslmode=disable", "SCRAM-SHA-256")]
    [InlineData("repl", "pw-repl", "", "SCRAM-SHA-256-PLUS")] // sslmode=prefer finds TLS, channel_binding=prefer binds
    [InlineData("md5user", "pw-md5", "", "md5")]
    public void ReplicationRoleWithPassword(string user, string password, string extra, string method)
    {
        CliRunner.Result result = Ping(Tcp(user, password) + " " + extra, "--json");
        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        Assert.Contains($"\"system_identifier\": \"{server.SystemIdentifier}\"", result.Out);
        Assert.Contains($"\"authentication\": \"{method}\"", result.Out);
        Assert.Contains("\"superuser\": false", result.Out);
        Assert.Matches("\"wal_position\": \"[0-9A-F]+/[0-9A-F]+\"", result.Out);
    }

    [Fact]
    public void TlsWithChannelBindingToASha384Certificate()
    {
        CliRunner.Result result = Ping(Tcp("tlsonly", "pw-tls") + " sslmode=require channel_binding=require");
        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        Assert.Contains("(TLS, SCRAM-SHA-256-PLUS)", result.Out);
    }

    [Fact]
    public void HostsslOnlyRoleWithoutTlsIsExitCode4()
    {
        CliRunner.Result result = Ping(Tcp("tlsonly", "pw-tls") + " sslmode=disable");
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("no pg_hba.conf entry for replication connection from host \"127.0.0.1\", user \"tlsonly\", no encryption", result.Error);
    }

    [Fact]
    public void WrongPasswordIsExitCode4()
    {
        CliRunner.Result result = Ping(Tcp("repl", "wrong"));
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("password authentication failed for user \"repl\" (SQLSTATE 28P01)\n", result.Error);
        Assert.EndsWith("hint: check the password of user \"repl\" given by --db (password=...), PGPASSWORD or ~/.pgpass\n", result.Error);
    }

    [Fact]
    public void MissingPasswordIsExitCode4()
    {
        CliRunner.Result result = Ping(Tcp("repl"));
        Assert.Equal(4, result.ExitCode);
        Assert.StartsWith("pgark: ", result.Error);
        Assert.Equal(2, result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void RoleWithoutReplicationIsExitCode4()
    {
        CliRunner.Result result = Ping(Tcp("norepl", "pw-norepl"));
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("must be superuser or replication role to start walsender (SQLSTATE 42501)\n", result.Error);
        Assert.EndsWith("hint: as a superuser, run: ALTER ROLE \"norepl\" REPLICATION; (replication connections and backups need it)\n", result.Error);
    }

    [Fact]
    public void NoPgHbaEntryIsExitCode4()
    {
        CliRunner.Result result = Ping(Tcp("nohba", "pw-nohba"));
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("no pg_hba.conf entry for replication connection from host \"127.0.0.1\", user \"nohba\"", result.Error);
        Assert.EndsWith("hint: add \"host replication nohba <client address>/32 scram-sha-256\" to the server's pg_hba.conf "
                        + "(the message shows the client address), then reload it (SELECT pg_reload_conf())\n", result.Error);
    }

    [Fact]
    public void ServerDownIsExitCode3()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        CliRunner.Result result = Ping($"host=127.0.0.1 port={closedPort} user=repl password=x");
        Assert.Equal((3, ""), (result.ExitCode, result.Out));
        Assert.Contains("Connection refused", result.Error);
        Assert.Equal(2, result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void UnparseableConninfoIsExitCode2()
    {
        CliRunner.Result result = Ping($"host=127.0.0.1 port={server.Port} user=repl password='unterminated");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("pgark: invalid connection string: unterminated quoted string in connection info string; close the value with a single quote\n"
                     + "hint: fix --db (or PGARK_DB / the PG* variables); it takes key=value pairs such as \"host=db1 user=backup\" or a postgresql:// URI\n",
            result.Error);
    }
}
