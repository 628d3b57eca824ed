using System.Globalization;
using Pgark.Cli.Parsing;
using Pgark.Cli.Progress;
using Pgark.Logical;

namespace Pgark.Cli.Commands.Logical;

/// <summary><c>pgark backup --kind logical</c>: one database's definitions and rows into the repository.</summary>
internal static class LogicalBackupRun
{
    public static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var source = LogicalCli.Connection(context, arguments);
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        using var bar = TerminalProgress.For(context, arguments.Flag(Options.Json));
        var result = await LogicalBackup.RunAsync(repository, new LogicalBackupOptions
        {
            Source = source,
            Jobs = (int)(arguments.Integer(Options.Jobs) ?? 1),
            Label = arguments.Text(Options.Label) ?? "",
            Globals = arguments.Flag(Options.Globals),
            RolePasswords = arguments.Flag(Options.RolePasswords),
            Progress = EngineProgress.LogicalBackup(bar),
        }, cancellationToken).ConfigureAwait(false);
        bar.Clear();
        foreach (string warning in result.Warnings)
            context.Error.WriteLine($"pgark: warning: {warning}");
        var manifest = result.Manifest;
        var culture = CultureInfo.InvariantCulture;
        context.Out.WriteLine($"snapshot:   {result.Snapshot.ShortId} ({result.Snapshot.Record.Metadata.Label})");
        context.Out.WriteLine($"snapshot:   {manifest.SnapshotMethod} at {manifest.Lsn ?? "unknown LSN"}");
        context.Out.WriteLine(string.Create(culture, $"tables:     {manifest.Tables.Count} ({manifest.Tables.Sum(t => t.Rows)} rows, " +
            $"{manifest.Tables.Sum(t => t.Bytes)} bytes of COPY text), {result.SchemaObjects} schema objects, {manifest.LargeObjects.Count} large objects, " +
            $"{result.GlobalObjects} global objects"));
        context.Out.WriteLine(string.Create(culture, $"stored:     {result.StoredBytes} bytes in {result.StoredChunks} new chunks " +
            $"({result.DeduplicatedChunks} already present)"));
        return ExitCode.Ok;
    }
}
