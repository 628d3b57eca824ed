namespace Pgark.Cli;

/// <summary>pgark's exit codes. Scripts depend on them: never renumber, only add.</summary>
internal enum ExitCode
{
    Ok = 0,
    CheckFailed = 1,
    Usage = 2,
    CannotConnect = 3,
    Authentication = 4,
    ServerError = 5,
    ProtocolError = 6,
    RepositoryError = 7,
    Interrupted = 8,
    LocalClusterFailed = 9,
    TargetUnreachable = 10,
    InternalError = 70,
    MissingLibrary = 72, // sysexits.h EX_OSFILE, beside InternalError's EX_SOFTWARE: outside the 1..n run other codes append to
    ArchiveUnreachable = 126,
}

/// <summary>The one table of exit codes: what each means and what usually causes it. Help and spec/cli.md print it.</summary>
internal static class ExitCodes
{
    public static readonly (ExitCode Code, string Meaning, string Examples)[] Table =
    [
        (ExitCode.Ok, "success", "the command did what was asked"),
        (ExitCode.CheckFailed, "a check found problems, or the file asked for does not exist",
            "a verify or check command found damage or a mismatch; status found a gap in the WAL archive or an RPO above --max-rpo; "
            + "wal get: the archive has no such file (restore_command's \"not available\")"),
        (ExitCode.Usage, "usage error or bad input", "unknown option, value out of range, unparseable connection string, unknown database"),
        (ExitCode.CannotConnect, "cannot connect", "server down or unreachable, connection refused, TLS failure, connect timeout, server starting up or out of connection slots"),
        (ExitCode.Authentication, "authentication or authorization failed", "wrong password, no pg_hba.conf entry, role lacks the REPLICATION attribute"),
        (ExitCode.ServerError, "the server reported an error", "an ErrorResponse to a command, or a connection rejected for another reason"),
        (ExitCode.ProtocolError, "protocol error", "the server sent a message the protocol does not allow at that point"),
        (ExitCode.RepositoryError, "repository error", "repository missing, locked by another process, damaged or of an unknown format version"),
        (ExitCode.Interrupted, "interrupted", "Ctrl-C (SIGINT) or SIGTERM before the command finished"),
        (ExitCode.LocalClusterFailed, "a scratch cluster could not be started", "no PostgreSQL server binaries installed, initdb or the server failed (demo, restore drills)"),
        (ExitCode.TargetUnreachable, "the recovery target cannot be reached",
            "plan or restore to a target: before the first backup, a WAL segment missing, a timeline that does not descend from the backup's, "
            + "beyond the archived WAL, a restore point or transaction not in the WAL"),
        (ExitCode.InternalError, "internal error: a bug in pgark", "an unexpected exception; rerun with --verbose and report the output"),
        (ExitCode.MissingLibrary, "a system library pgark needs is missing", "libzstd.so.1 not installed or older than 1.4.0 (Debian: libzstd1, RHEL: libzstd); no OpenSSL libssl (Debian: libssl3, RHEL: openssl-libs)"),
        (ExitCode.ArchiveUnreachable, "wal get failed for any reason other than \"not in the archive\" (PostgreSQL stops recovery)",
            "wal get only, so that restore_command never reads a failure as the end of archived WAL: repository missing or unreadable, "
            + "I/O error, damaged object, wrong passphrase, bad arguments, interrupted, internal error. PostgreSQL aborts recovery "
            + "on an exit status above 125 instead of ending it and promoting"),
    ];
}
