using System.Globalization;
using Pgark.Cli.Parsing;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark snapshots</c>: lists the snapshots, oldest first.</summary>
internal static class SnapshotsCommand
{
    public static readonly CommandSpec Spec = new(
        "snapshots",
        "List the snapshots in the repository.",
        "One line per snapshot, oldest first: the id's first 8 hex digits (any unique prefix of at least 4 names it), the start "
        + "time in UTC, the kind (physical or logical) and the label.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            ID        START (UTC)           KIND      LABEL
            4c1d9e0a  2026-11-21 06:00:03   physical  nightly
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var repository = await RepositoryLocation.OpenAsync(context, arguments, loadIndex: false, cancellationToken).ConfigureAwait(false);
        context.Out.WriteLine("ID        START (UTC)           KIND      LABEL");
        foreach (var snapshot in await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false))
        {
            var metadata = snapshot.Record.Metadata;
            var start = metadata.StartTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            context.Out.WriteLine($"{snapshot.ShortId}  {start}   {metadata.Kind.ToString().ToLowerInvariant(),-8}  {metadata.Label}");
        }
        return ExitCode.Ok;
    }
}
