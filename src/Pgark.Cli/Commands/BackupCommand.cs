using Pgark.Cli.Commands.Logical;
using Pgark.Cli.Commands.Physical;
using Pgark.Cli.Parsing;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark backup</c>: physical (the default) or logical, each in its own file.</summary>
internal static class BackupCommand
{
    public static readonly CommandSpec Spec = new(
        "backup",
        "Back up a server (--kind physical, the default) or one database (--kind logical) into the repository.",
        "Physical: runs BASE_BACKUP over a physical replication connection and, on a second one, streams the WAL the "
        + "backup needs from a temporary replication slot (as pg_basebackup -X stream). Relation files are stored as "
        + "256 KiB extents with page deltas against the previous backup of the same cluster; other files are cut "
        + "with FastCDC and deduplicated. The server's backup_manifest is kept with the snapshot, which is committed "
        + "only after all files and WAL are stored: an interrupted backup leaves no snapshot. See spec/physical.md.\n\n"
        + "Logical: reads one database (the dbname of --db) through one consistent snapshot: a temporary logical "
        + "replication slot when the role may replicate and wal_level is logical (the snapshot then has an exact LSN), "
        + "else an exported REPEATABLE READ snapshot. Definitions are read from the catalogs; each table's COPY text is "
        + "cut into content-defined chunks straight into the repository, with its row count and BLAKE3 recorded. "
        + "Unchanged stretches of a table deduplicate against earlier backups. See spec/logical-format.md.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            physical:
            snapshot:  3f2a9c1e  (label pgark, PostgreSQL 150008, timeline 1, 0/5000028 .. 0/5000138)
            files:     1312, 38.1 MiB received, 16.0 MiB WAL
            stored:    4.2 MiB in 310 new chunks (2211 deduplicated) in 2.4 s

            logical:
            snapshot:   3f2a9c1e (logical shop)
            snapshot:   replication-slot at 0/1A2B3C8
            tables:     12 (20512 rows, 1.6 MB of COPY text), 87 schema objects
            stored:     412 KB in 14 new chunks (3 already present)
            """);

    private static Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
        => BackupKinds.Parse(arguments) switch
        {
            BackupKind.Logical => LogicalBackupRun.RunAsync(context, arguments, cancellationToken),
            _ => PhysicalBackupRun.RunAsync(context, arguments, cancellationToken),
        };
}
