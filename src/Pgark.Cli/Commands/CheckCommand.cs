using Pgark.Cli.Parsing;
using Pgark.Cli.Progress;
using Pgark.Repository.Check;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark check</c>: verifies the repository and lists every problem with its file and object id.</summary>
internal static class CheckCommand
{
    public static readonly CommandSpec Spec = new(
        "check",
        "Verify the repository's structure, and with --read-data every chunk.",
        "Checks that every snapshot, tree and index delta decodes and hashes to its name, that every chunk a snapshot needs "
        + "is indexed, and that every indexed pack exists and its header matches the index. With --read-data, also reads, "
        + "decrypts, decompresses and re-hashes every chunk. Each problem is printed on its own line with the file and object id "
        + "and, for damage, whether it looks like storage damage or a writer bug. Exit code 1 when any error is found; "
        + "warnings (such as packs left by an interrupted backup, which prune removes) do not change the exit code.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            error: packs/9c/9c41...e2 (object 5a0f...71): chunk does not match its id [StorageDamage]
            checked 3 snapshot(s), 2 pack(s), 1204 chunk(s) read: 1 error(s), 0 warning(s)
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        using var bar = TerminalProgress.For(context, arguments.Flag(Options.Json));
        var report = await repository.CheckAsync(CheckScope.Everything, arguments.Flag(Options.ReadData), EngineProgress.Check(bar, "check"),
            cancellationToken).ConfigureAwait(false);
        bar.Clear();
        foreach (var problem in report.Problems)
            context.Out.WriteLine(problem.ToString());
        context.Out.WriteLine($"checked {report.SnapshotsChecked} snapshot(s), {report.PacksChecked} pack(s), {report.ChunksRead} chunk(s) read: "
            + $"{report.Errors.Count()} error(s), {report.Warnings.Count()} warning(s)");
        return report.HasErrors ? ExitCode.CheckFailed : ExitCode.Ok;
    }
}
