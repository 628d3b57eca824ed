using Pgark.Cli.Parsing;

namespace Pgark.Cli.Commands.Retention;

/// <summary><c>pgark pin ID</c> and <c>pgark unpin ID</c>: keep a backup whatever forget's policy says, or stop doing so.</summary>
internal static class PinCommand
{
    public static readonly CommandSpec Spec = new(
        "pin",
        "Keep a backup whatever forget's policy says.",
        "Writes pins/<snapshot id> into the repository (spec/repository-format.md §2). forget keeps a pinned backup with the "
        + "reason \"pinned\" and keeps the WAL it needs; pinning twice is not an error. Undo with pgark unpin.",
        Arguments: "ID",
        MaxPositionals: 1,
        RunAsync,
        Output: "pinned 4c1d9e0a (physical, 2026-11-21 06:00:03 UTC, nightly)");

    public static readonly CommandSpec UnpinSpec = new(
        "unpin",
        "Let forget's policy decide about a pinned backup again.",
        "Removes pins/<snapshot id>. Exit code 1 when the backup was not pinned.",
        Arguments: "ID",
        MaxPositionals: 1,
        RunUnpinAsync,
        Output: "unpinned 4c1d9e0a");

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var prefix = Id(arguments);
        var repository = await RepositoryLocation.OpenAsync(context, arguments, loadIndex: false, cancellationToken).ConfigureAwait(false);
        var snapshot = await SnapshotArgument.FindAsync(repository, prefix, cancellationToken).ConfigureAwait(false);
        await repository.PinAsync(snapshot.Id, cancellationToken).ConfigureAwait(false);
        var m = snapshot.Record.Metadata;
        context.Out.WriteLine($"pinned {snapshot.ShortId} ({m.Kind.ToString().ToLowerInvariant()}, {m.StartTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {m.Label})");
        return ExitCode.Ok;
    }

    private static async Task<ExitCode> RunUnpinAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var prefix = Id(arguments);
        var repository = await RepositoryLocation.OpenAsync(context, arguments, loadIndex: false, cancellationToken).ConfigureAwait(false);
        var snapshot = await SnapshotArgument.FindAsync(repository, prefix, cancellationToken).ConfigureAwait(false);
        if (!await repository.UnpinAsync(snapshot.Id, cancellationToken).ConfigureAwait(false))
        {
            context.Error.WriteLine($"pgark: {snapshot.ShortId} was not pinned");
            return ExitCode.CheckFailed;
        }
        context.Out.WriteLine($"unpinned {snapshot.ShortId}");
        return ExitCode.Ok;
    }

    private static string Id(ParsedArguments arguments)
        => arguments.Positionals.Count == 1 ? arguments.Positionals[0]
            : throw new UsageException($"pgark {arguments.Command} needs the snapshot id", "give its id or a unique prefix of at least 4 hex digits, as 'pgark snapshots' lists it");
}
