using System.Globalization;
using Pgark.Cli.Commands.Logical;
using Pgark.Cli.Parsing;
using Pgark.Logical;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark backup --kind logical</c>: one database's definitions and rows into the repository.</summary>
internal static class BackupCommand
{
    public static readonly CommandSpec Spec = new(
        "backup",
        "Back up a database into the repository (--kind logical).",
        "A logical backup reads one database (the dbname of --db) through one consistent snapshot: a temporary logical "
        + "replication slot when the role may replicate and wal_level is logical (the snapshot then has an exact LSN), "
        + "else an exported REPEATABLE READ snapshot. Definitions are read from the catalogs; each table's COPY text is "
        + "cut into content-defined chunks straight into the repository, with its row count and BLAKE3 recorded. "
        + "Unchanged stretches of a table deduplicate against earlier backups. See spec/logical-format.md.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            snapshot:   3f2a9c1e (logical shop)
            snapshot:   replication-slot at 0/1A2B3C8
            tables:     12 (20512 rows, 1.6 MB of COPY text), 87 schema objects
            stored:     412 KB in 14 new chunks (3 already present)
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        LogicalCli.RequireLogical(arguments);
        var source = LogicalCli.Connection(context, arguments);
        var repository = await LogicalCli.OpenRepositoryAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        var result = await LogicalBackup.RunAsync(repository, new LogicalBackupOptions
        {
            Source = source,
            Jobs = (int)(arguments.Integer(Options.Jobs) ?? 1),
            Label = arguments.Text(Options.Label) ?? "",
        }, cancellationToken).ConfigureAwait(false);
        var manifest = result.Manifest;
        var culture = CultureInfo.InvariantCulture;
        context.Out.WriteLine($"snapshot:   {result.Snapshot.ShortId} ({result.Snapshot.Record.Metadata.Label})");
        context.Out.WriteLine($"snapshot:   {manifest.SnapshotMethod} at {manifest.Lsn ?? "unknown LSN"}");
        context.Out.WriteLine(string.Create(culture, $"tables:     {manifest.Tables.Count} ({manifest.Tables.Sum(t => t.Rows)} rows, " +
            $"{manifest.Tables.Sum(t => t.Bytes)} bytes of COPY text), {result.SchemaObjects} schema objects"));
        context.Out.WriteLine(string.Create(culture, $"stored:     {result.StoredBytes} bytes in {result.StoredChunks} new chunks " +
            $"({result.DeduplicatedChunks} already present)"));
        return ExitCode.Ok;
    }
}
