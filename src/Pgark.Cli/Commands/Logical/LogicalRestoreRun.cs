using System.Globalization;
using Pgark.Cli.Commands.Physical;
using Pgark.Cli.Parsing;
using Pgark.Cli.Progress;
using Pgark.Logical.Restore;

namespace Pgark.Cli.Commands.Logical;

/// <summary><c>pgark restore --kind logical</c>: a logical snapshot into a database.</summary>
internal static class LogicalRestoreRun
{
    public static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var target = LogicalCli.Connection(context, arguments);
        string backup = LogicalCli.Required(arguments, Options.Backup, "pgark ls --repo R lists the snapshots' ids");
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        var tables = (arguments.Text(Options.Table) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        using var bar = TerminalProgress.For(context, arguments.Flag(Options.Json));
        var result = await LogicalRestore.RunAsync(repository, new LogicalRestoreOptions
        {
            Target = target,
            SnapshotId = backup,
            Jobs = (int)(arguments.Integer(Options.Jobs) ?? 1),
            Tables = tables,
            SchemaOnly = arguments.Flag(Options.SchemaOnly),
            DataOnly = arguments.Flag(Options.DataOnly),
            CreateDatabase = arguments.Text(Options.CreateDb),
            NoOwner = arguments.Flag(Options.NoOwner),
            NoPrivileges = arguments.Flag(Options.NoPrivileges),
            NoTablespaces = arguments.Flag(Options.NoTablespaces),
            NoRoleSettings = arguments.Flag(Options.NoRoleSettings),
            TablespaceMapping = PhysicalRestoreRun.ParseTablespaceMap(arguments.Texts(Options.TablespaceMap)),
            Globals = arguments.Flag(Options.Globals),
            Progress = EngineProgress.LogicalRestore(bar),
            ReadBack = arguments.Flag(Options.ReadBack),
        }, cancellationToken).ConfigureAwait(false);
        bar.Clear();
        var culture = CultureInfo.InvariantCulture;
        context.Out.WriteLine(string.Create(culture, $"restored:   {result.ObjectsCreated} objects, {result.TablesLoaded} tables ({result.RowsLoaded} rows), " +
            $"{result.LargeObjectsLoaded} large objects, {result.GlobalObjectsCreated} global objects"));
        string readBack = result.TablesReadBack > 0 ? string.Create(culture, $", {result.TablesReadBack} read back with its row-set digests") : "";
        string inParts = result.LoadedInParts is { } split ? string.Create(culture, $" ({split.Table} in {split.Parts} parts at once)") : "";
        context.Out.WriteLine(string.Create(culture, $"verified:   {result.TablesVerified} tables loaded with the backup's row counts and checksums{inParts}{readBack}"));
        return ExitCode.Ok;
    }
}
