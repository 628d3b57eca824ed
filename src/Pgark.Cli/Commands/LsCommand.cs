using System.Globalization;
using Pgark.Cli.Commands.Logical;
using Pgark.Cli.Parsing;
using Pgark.Logical.Restore;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark ls</c>: the snapshots of a repository, or the objects of one logical snapshot.</summary>
internal static class LsCommand
{
    public static readonly CommandSpec Spec = new(
        "ls",
        "List the repository's snapshots, or the objects of one backup.",
        "Without --backup, lists every snapshot (id, kind, time, label). With --backup, lists a logical snapshot's "
        + "objects in restore order (section, kind, name) and then its tables with row counts.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            pre-data   schema      shop
            pre-data   table       shop.orders
            post-data  index       shop.orders_customer
            data       table       shop.orders  20000 rows  1534221 bytes
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        var culture = CultureInfo.InvariantCulture;
        if (arguments.Text(Options.Backup) is not { } backup)
        {
            foreach (var snapshot in await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false))
            {
                var metadata = snapshot.Record.Metadata;
                context.Out.WriteLine(string.Create(culture,
                    $"{snapshot.ShortId}  {metadata.Kind.ToString().ToLowerInvariant(),-8}  {metadata.EndTime:yyyy-MM-dd HH:mm:ss}  {metadata.Label}"));
            }
            return ExitCode.Ok;
        }
        var (manifest, objects) = await LogicalRestore.ListAsync(repository, backup, cancellationToken).ConfigureAwait(false);
        foreach (var item in objects)
        {
            string section = item.Section == Pgark.Logical.Schema.SchemaSection.PreData ? "pre-data" : "post-data";
            string name = item.Schema.Length == 0 ? item.Name : item.Schema + "." + item.Name;
            context.Out.WriteLine($"{section,-10} {item.Kind,-22} {name}");
        }
        foreach (var table in manifest.Tables)
            context.Out.WriteLine(string.Create(culture, $"{"data",-10} {"table",-22} {table.Schema}.{table.Name}  {table.Rows} rows  {table.Bytes} bytes"));
        return ExitCode.Ok;
    }
}
