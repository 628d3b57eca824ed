using Pgark.Cli.Commands.Logical;
using Pgark.Cli.Commands.Physical;
using Pgark.Cli.Parsing;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark restore</c>: physical (the default) or logical, each in its own file.</summary>
internal static class RestoreCommand
{
    public static readonly CommandSpec Spec = new(
        "restore",
        "Restore a physical backup into a new data directory (--target), or a logical one into a database (--kind logical --db).",
        "Physical: writes the snapshot's files into --target with the permissions PostgreSQL requires (directories "
        + "0700, files 0600), recreates pg_tblspc symlinks to the tablespaces' original locations, puts the backup's WAL "
        + "into pg_wal, and fsyncs everything. Every chunk is checked against its id while reading (an extent rebuilt "
        + "from a page delta: every page against its page hash), and every file against the server's backup_manifest "
        + "(size, and the checksum the server computed: CRC32C, which pgark asks for, or SHA-256/384/512) and the "
        + "manifest against its own checksum. The result starts with pg_ctl start and recovers to the end of the backup.\n\n"
        + "Physical to a point in time (--target-time, --target-lsn, --target-xid, --target-name, --latest or --immediate): "
        + "plans first as pgark plan does (and writes nothing when the target is unreachable, exit 10), restores the planned "
        + "backup, removes its own pg_wal segments so every segment comes from the archive, and writes recovery.signal and "
        + "postgresql.auto.conf: restore_command (this pgark's absolute path with wal get --repo), recovery_target_lsn (the "
        + "exact LSN the plan found), recovery_target_inclusive, recovery_target_timeline and recovery_target_action "
        + "(--target-action). pg_ctl start then replays to exactly the target.\n\n"
        + "Logical: runs the snapshot's pre-data definitions, loads every table with COPY FROM STDIN (--jobs in "
        + "parallel, largest first; a largest table that would outlast the other workers loads in parts over several "
        + "connections at once, each part committed only once all are in and verified together; each table's keys and "
        + "indexes are built as soon as its rows are in), runs the other "
        + "post-data definitions (foreign keys, triggers, materialized view data) and sets the sequences. Each table is "
        + "verified as it loads: the COPY text's row count and BLAKE3 and the rows the server loaded must equal the "
        + "backup's before the table is committed, else the restore fails. --read-back also reads every table back and "
        + "compares its rows with the backup's row-set digest. The first failing statement stops the restore; the error "
        + "names the object and carries PostgreSQL's message.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            physical:
            restored 3f2a9c1e into /var/lib/postgresql/15/main: 1313 files, 54.1 MiB, 1290 verified against backup_manifest, 1 WAL segment(s)

            logical:
            restored:   87 objects, 12 tables (20512 rows)
            verified:   12 tables loaded with the backup's row counts and checksums
            """);

    private static Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
        => BackupKinds.Parse(arguments) switch
        {
            BackupKind.Logical when Recovery.RecoveryTargetArguments.IsGiven(arguments) => throw new Parsing.UsageException(
                "a recovery target applies to physical restores only", "drop --target-time/--target-lsn/... or use --kind physical"),
            BackupKind.Logical => LogicalRestoreRun.RunAsync(context, arguments, cancellationToken),
            _ when Recovery.RecoveryTargetArguments.IsGiven(arguments) => Recovery.PointInTimeRestoreRun.RunAsync(context, arguments, cancellationToken),
            _ => PhysicalRestoreRun.RunAsync(context, arguments, cancellationToken),
        };
}
