using Pgark.Cli.Parsing;
using Pgark.Cluster;
using Pgark.Repository;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Cli.Errors;

/// <summary>
/// What the user sees when a command fails: one line "pgark: what is wrong", one line "hint: what to do", and
/// the exit code of the error's tier (<see cref="ExitCodes.Table"/>). Classification happens here and only here.
/// </summary>
internal sealed record ErrorReport(ExitCode Code, string Message, string Hint)
{
    /// <summary>The wire layer appends "; hint: ..." to its messages; the CLI puts that on its own line.</summary>
    private const string HintSeparator = "; hint: ";

    /// <param name="error">What the command threw.</param>
    /// <param name="interrupted">Whether Ctrl-C or SIGTERM cancelled the command.</param>
    /// <param name="connection">The connection the command was making, if any, so hints can name the user and host.</param>
    public static ErrorReport From(Exception error, bool interrupted, ConnectionSettings? connection = null)
    {
        if (interrupted && error is OperationCanceledException)
            return new(ExitCode.Interrupted, "interrupted", "the command was stopped before it finished; run it again to redo it");

        return error switch
        {
            UsageException e => new(ExitCode.Usage, e.Message, e.Hint),
            Pgark.Wal.WalStreamException e => new(e.InRepository ? ExitCode.RepositoryError : ExitCode.ServerError, e.Message, e.Hint),
            Pgark.Wal.WalPushException e => new(ExitCode.Usage, e.Message, e.Hint),
            Pgark.Wal.WalClusterChoiceException e => new(ExitCode.Usage, e.Message, e.Hint),
            Pgark.Wal.WalConflictException e => new(ExitCode.RepositoryError, e.Message, e.Hint),
            Pgark.Wal.Show.WalShowException e => new(ExitCode.CheckFailed, e.Message, e.Hint),
            Pgark.Wal.Reader.WalFormatException e => new(ExitCode.RepositoryError, FirstLine(e.Message),
                "the archived WAL is damaged at the place named; run 'pgark check' and 'pgark status'"),
            ConnectionStringException e => WithHint(ExitCode.Usage, "invalid connection string: " + e.Message,
                "fix --db (or PGARK_DB / the PG* variables); it takes key=value pairs such as \"host=db1 user=backup\" or a postgresql:// URI"),
            PgConnectionException e => FromConnection(e, connection),
            PgServerException e => FromServer(e, e.MessageText, connection),
            Pgark.Logical.LogicalException e => WithHint(e.InnerException is PgServerException ? ExitCode.ServerError : ExitCode.Usage, e.Message,
                "fix the object named above on the target (or the --table list) and run the restore again"),
            PgProtocolException e => WithHint(ExitCode.ProtocolError, e.Message,
                "the server or something between pgark and it sent an unexpected message; check for a proxy or pooler, or report it with --verbose output"),
            LocalClusterException e => new(ExitCode.LocalClusterFailed, FirstLine(e.Message),
                e.Hint ?? "check that PostgreSQL server binaries are installed (apt-get install postgresql) and see the server log above"),
            RepositoryException e => new(ExitCode.RepositoryError, e.Message,
                e.Hint),
            Pgark.Recovery.RecoveryPlanException e => new(ExitCode.TargetUnreachable, e.Message, e.Hint),
            Pgark.Physical.Restore.PhysicalRestoreException e => new(e.IsVerificationFailure ? ExitCode.CheckFailed : ExitCode.Usage, e.Message, e.Hint),
            Pgark.Drill.DrillException e => new(ExitCode.Usage, e.Message, e.Hint),
            Pgark.Repository.Codecs.ZstdLibraryNotFoundException e => new(ExitCode.MissingLibrary, e.Problem, e.Hint),
            Native.OpenSslNotFoundException e => new(ExitCode.MissingLibrary, e.Message, Native.OpenSslNotFoundException.Hint),
            Pgark.Physical.Tar.TarFormatException e => WithHint(ExitCode.ProtocolError, e.Message,
                "the server's backup archive could not be parsed; rerun with --verbose and report the output"),
            _ => new(ExitCode.InternalError, $"internal error: {error.GetType().Name}: {error.Message}",
                "this is a bug in pgark; rerun with --verbose and report the output"),
        };
    }

    /// <summary>
    /// The same failure as <c>wal get</c> must report it when it runs as restore_command. PostgreSQL's startup process
    /// reads an exit status of 1..125 as "this file is not in the archive" and, in archive recovery, ends recovery and
    /// promotes; only a signal or a status above 125 makes it stop with FATAL (xlogarchive.c, RestoreArchivedFile, via
    /// wait_result_is_any_signal(rc, true)). So every failure of wal get, whatever its tier, exits 126; the one answer
    /// below 126 is the command's own "not in the archive" (exit 1).
    /// </summary>
    public ErrorReport ForRestoreCommand() => this with
    {
        Code = ExitCode.ArchiveUnreachable,
        Hint = $"{Hint} (exit {(int)ExitCode.ArchiveUnreachable}: PostgreSQL stops recovery here rather than treating the file as missing)",
    };

    private static ErrorReport FromConnection(PgConnectionException e, ConnectionSettings? connection)
    {
        // A session the server refused carries its ErrorResponse: the SQLSTATE decides the tier.
        if (e.InnerException is PgServerException server)
            return FromServer(server, e.Message, connection);
        return e.Failure switch
        {
            PgConnectionFailure.Authentication => WithHint(ExitCode.Authentication, e.Message,
                "give the password in --db (password=...), PGPASSWORD or ~/.pgpass (which must be mode 0600)"),
            PgConnectionFailure.Tls => WithHint(ExitCode.CannotConnect, e.Message,
                "check sslmode and sslrootcert in --db and the server's ssl settings"),
            PgConnectionFailure.Timeout => WithHint(ExitCode.CannotConnect, e.Message,
                "the server did not answer in time; check that it is up and reachable, or raise --connect-timeout"),
            _ => WithHint(ExitCode.CannotConnect, e.Message,
                "check that the server is running and accepts connections at this host and port (listen_addresses, port, firewall)"),
        };
    }

    private static ErrorReport FromServer(PgServerException server, string message, ConnectionSettings? connection)
    {
        string user = connection?.User ?? "<user>";
        ExitCode code = server.SqlState switch
        {
            // Class 28: invalid authorization (28P01 wrong password, 28000 no pg_hba.conf entry); 42501: lacks a privilege.
            _ when server.SqlState.StartsWith("28", StringComparison.Ordinal) => ExitCode.Authentication,
            "42501" => ExitCode.Authentication,
            // Too many connections / max_wal_senders exhausted, or the server is starting up or shutting down.
            "53300" or "57P03" => ExitCode.CannotConnect,
            "3D000" => ExitCode.Usage, // the database named in the connection string does not exist
            _ => ExitCode.ServerError,
        };
        string? hint = server.SqlState switch
        {
            "28P01" => $"check the password of user \"{user}\" given by --db (password=...), PGPASSWORD or ~/.pgpass",
            "28000" => PgHbaHint(connection),
            "42501" => $"as a superuser, run: ALTER ROLE \"{user}\" REPLICATION; (replication connections and backups need it)",
            "53300" => "the server is out of connection slots: raise max_connections or max_wal_senders (a physical backup uses two WAL senders), or close idle sessions",
            "57P03" => "the server is starting up, shutting down or in recovery; retry when it is ready",
            "3D000" => "check dbname in --db",
            "XX001" => "a data file on the server is corrupt (its log names the file and block, \"checksum verification failed\"); no backup "
                + "was committed: repair or restore that file, or back up anyway with --no-verify-checksums",
            _ => null,
        };
        return hint is null
            ? WithHint(code, message, server.Hint ?? "see the server's message and its log")
            : new(code, StripHint(message), hint);
    }

    /// <summary>The pg_hba.conf line that would let this connection in.</summary>
    private static string PgHbaHint(ConnectionSettings? connection)
    {
        if (connection is null)
            return "add a line for this user, database and client address to the server's pg_hba.conf, then reload it (SELECT pg_reload_conf())";
        string database = connection.Replication == ReplicationMode.Physical ? "replication" : connection.Database;
        string line = connection.IsUnixSocket
            ? $"local {database} {connection.User} scram-sha-256"
            : $"host {database} {connection.User} <client address>/32 scram-sha-256";
        return $"add \"{line}\" to the server's pg_hba.conf (the message shows the client address), then reload it (SELECT pg_reload_conf())";
    }

    /// <summary>Uses the hint embedded in the message when the wire layer wrote one, else <paramref name="fallbackHint"/>.</summary>
    private static ErrorReport WithHint(ExitCode code, string message, string fallbackHint)
    {
        int at = message.IndexOf(HintSeparator, StringComparison.Ordinal);
        return at < 0 ? new(code, message, fallbackHint) : new(code, message[..at], message[(at + HintSeparator.Length)..]);
    }

    private static string StripHint(string message)
    {
        int at = message.IndexOf(HintSeparator, StringComparison.Ordinal);
        return at < 0 ? message : message[..at];
    }

    public void WriteTo(TextWriter error)
    {
        // One line each, whatever the server put in its message.
        error.WriteLine($"pgark: {OneLine(Message)}");
        error.WriteLine($"hint: {OneLine(Hint)}");
    }

    private static string FirstLine(string text)
    {
        int end = text.IndexOf('\n');
        return end < 0 ? text : text[..end];
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
