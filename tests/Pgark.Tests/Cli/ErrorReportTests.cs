using Pgark.Cli;
using Pgark.Cli.Errors;
using Pgark.Cli.Parsing;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Tests.Cli;

public class ErrorReportTests
{
    private static readonly ConnectionSettings s_tcp = new()
    {
        Host = "db1", User = "backup", Database = "replication", Replication = ReplicationMode.Physical,
    };

    private static PgServerException Server(string sqlState, string message, string severity = "FATAL", string? hint = null)
        => new(severity, sqlState, message, detail: null, hint, new Dictionary<char, string>());

    private static PgConnectionException Refused(PgServerException server)
        => new(PgConnectionFailure.Authentication, $"the server refused the session: {server.MessageText} (SQLSTATE {server.SqlState}); hint: wire hint", server);

    public static TheoryData<Exception, int, string, string> Cases => new()
    {
        { new UsageException("bad", "do better"), (int)ExitCode.Usage, "bad", "do better" },
        { new ConnectionStringException("invalid port value \"x\"; allowed values are integers from 1 to 65535"), (int)ExitCode.Usage,
            "invalid connection string: invalid port value \"x\"; allowed values are integers from 1 to 65535",
            "fix --db (or PGARK_DB / the PG* variables); it takes key=value pairs such as \"host=db1 user=backup\" or a postgresql:// URI" },
        { Refused(Server("28P01", "password authentication failed for user \"backup\"")), (int)ExitCode.Authentication,
            "the server refused the session: password authentication failed for user \"backup\" (SQLSTATE 28P01)",
            "check the password of user \"backup\" given by --db (password=...), PGPASSWORD or ~/.pgpass" },
        { Refused(Server("28000", "no pg_hba.conf entry for replication connection")), (int)ExitCode.Authentication,
            "the server refused the session: no pg_hba.conf entry for replication connection (SQLSTATE 28000)",
            "add \"host replication backup <client address>/32 scram-sha-256\" to the server's pg_hba.conf (the message shows the client address), then reload it (SELECT pg_reload_conf())" },
        { Refused(Server("42501", "must be superuser or replication role to start walsender")), (int)ExitCode.Authentication,
            "the server refused the session: must be superuser or replication role to start walsender (SQLSTATE 42501)",
            "as a superuser, run: ALTER ROLE \"backup\" REPLICATION; (replication connections and backups need it)" },
        { Refused(Server("53300", "number of requested standby connections exceeds max_wal_senders (currently 0)")), (int)ExitCode.CannotConnect,
            "the server refused the session: number of requested standby connections exceeds max_wal_senders (currently 0) (SQLSTATE 53300)",
            "the server is out of connection slots: raise max_connections or max_wal_senders (a physical backup uses two WAL senders), or close idle sessions" },
        { Refused(Server("57P03", "the database system is starting up")), (int)ExitCode.CannotConnect,
            "the server refused the session: the database system is starting up (SQLSTATE 57P03)",
            "the server is starting up, shutting down or in recovery; retry when it is ready" },
        { Refused(Server("3D000", "database \"nope\" does not exist")), (int)ExitCode.Usage,
            "the server refused the session: database \"nope\" does not exist (SQLSTATE 3D000)", "check dbname in --db" },
        { Refused(Server("XX000", "something odd")), (int)ExitCode.ServerError,
            "the server refused the session: something odd (SQLSTATE XX000)", "wire hint" },
        { new PgConnectionException(PgConnectionFailure.Unreachable, "could not connect to db1:5432: Connection refused; hint: is it running?"),
            (int)ExitCode.CannotConnect, "could not connect to db1:5432: Connection refused", "is it running?" },
        { new PgConnectionException(PgConnectionFailure.Unreachable, "could not connect"), (int)ExitCode.CannotConnect, "could not connect",
            "check that the server is running and accepts connections at this host and port (listen_addresses, port, firewall)" },
        { new PgConnectionException(PgConnectionFailure.Tls, "certificate verify failed"), (int)ExitCode.CannotConnect,
            "certificate verify failed", "check sslmode and sslrootcert in --db and the server's ssl settings" },
        { new PgConnectionException(PgConnectionFailure.Timeout, "timed out after 30 s"), (int)ExitCode.CannotConnect, "timed out after 30 s",
            "the server did not answer in time; check that it is up and reachable, or raise --connect-timeout" },
        { new PgConnectionException(PgConnectionFailure.Lost, "connection lost"), (int)ExitCode.CannotConnect, "connection lost",
            "check that the server is running and accepts connections at this host and port (listen_addresses, port, firewall)" },
        { new PgConnectionException(PgConnectionFailure.Authentication, "the server asked for a password but none was given"),
            (int)ExitCode.Authentication, "the server asked for a password but none was given",
            "give the password in --db (password=...), PGPASSWORD or ~/.pgpass (which must be mode 0600)" },
        { Server("42P01", "relation \"x\" does not exist", "ERROR", hint: "create it"), (int)ExitCode.ServerError,
            "relation \"x\" does not exist", "create it" },
        { new PgProtocolException("unexpected backend message 'Z' during COPY"), (int)ExitCode.ProtocolError,
            "unexpected backend message 'Z' during COPY",
            "the server or something between pgark and it sent an unexpected message; check for a proxy or pooler, or report it with --verbose output" },
        { new Pgark.Repository.RepositoryObjectMissingException("packs/1f/1f2e"), (int)ExitCode.RepositoryError, "missing packs/1f/1f2e",
            "run 'pgark check' to see the state of the repository" },
        { new InvalidOperationException("boom"), (int)ExitCode.InternalError, "internal error: InvalidOperationException: boom",
            "this is a bug in pgark; rerun with --verbose and report the output" },
        { new OperationCanceledException(), (int)ExitCode.InternalError, "internal error: OperationCanceledException: The operation was canceled.",
            "this is a bug in pgark; rerun with --verbose and report the output" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EachTierHasItsExitCodeMessageAndHint(Exception error, int code, string message, string hint)
    {
        ErrorReport report = ErrorReport.From(error, interrupted: false, s_tcp);
        Assert.Equal((code, message, hint), ((int)report.Code, report.Message, report.Hint));
    }

    [Fact]
    public void CancellationAfterAnInterruptIsExitCode8()
    {
        ErrorReport report = ErrorReport.From(new TaskCanceledException(), interrupted: true);
        Assert.Equal((ExitCode.Interrupted, "interrupted"), (report.Code, report.Message));
    }

    [Fact]
    public void UnixSocketPgHbaHintUsesALocalLine()
    {
        ConnectionSettings socket = s_tcp with { Host = "/var/run/postgresql" };
        ErrorReport report = ErrorReport.From(Refused(Server("28000", "no pg_hba.conf entry")), false, socket);
        Assert.Equal("add \"local replication backup scram-sha-256\" to the server's pg_hba.conf (the message shows the client address), "
                     + "then reload it (SELECT pg_reload_conf())", report.Hint);
    }

    [Fact]
    public void WrittenAsExactlyTwoLinesEvenForMultiLineMessages()
    {
        var output = new StringWriter();
        new ErrorReport(ExitCode.ServerError, "first\nsecond", "do\r\nthis").WriteTo(output);
        Assert.Equal("pgark: first second\nhint: do this\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ExitCodeTableIsFrozen()
    {
        // Scripts depend on these numbers: a change here is a breaking change of the command line.
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 70, 72, 126], ExitCodes.Table.Select(row => (int)row.Code));
        Assert.Equal(Enum.GetValues<ExitCode>().Length, ExitCodes.Table.Length);
    }
}
