using Pgark.Cli.Parsing;
using Pgark.Cli.Progress;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark prune</c>: removes chunks no snapshot reaches.</summary>
internal static class PruneCommand
{
    public static readonly CommandSpec Spec = new(
        "prune",
        "Remove data no snapshot needs.",
        "Under an exclusive lock, marks every chunk reachable from a snapshot, rewrites packs that are at least 20% unused, "
        + "writes index deltas that supersede the old ones, then deletes the old deltas and packs (spec/repository-format.md §14). "
        + "Packs left by interrupted backups are deleted too.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            reachable chunks:   1204
            removed chunks:     88
            packs deleted:      1 (2 repacked into 1)
            index deltas:       3 replaced
            bytes freed:        4194304
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        using var bar = TerminalProgress.For(context, arguments.Flag(Options.Json));
        var result = await repository.PruneAsync(0.2, EngineProgress.Prune(bar), cancellationToken).ConfigureAwait(false);
        bar.Clear();
        var output = context.Out;
        output.WriteLine($"reachable chunks:   {result.ReachableChunks}");
        output.WriteLine($"removed chunks:     {result.UnreachableChunks}");
        output.WriteLine($"packs deleted:      {result.PacksDeleted} ({result.PacksRepacked} repacked into {result.PacksWritten})");
        output.WriteLine($"index deltas:       {result.IndexDeltasReplaced} replaced");
        output.WriteLine($"bytes freed:        {result.BytesFreed}");
        return ExitCode.Ok;
    }
}
