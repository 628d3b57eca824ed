using Pgark.Cli.Parsing;
using Pgark.Wal;

namespace Pgark.Cli.Commands.Wal;

/// <summary><c>pgark wal get</c>: restore_command.</summary>
internal static class WalGetCommand
{
    public static readonly CommandSpec Spec = new(
        "wal get",
        "Fetch one archived WAL file (for restore_command).",
        "Writes the archived WAL file NAME to DEST (written to a temporary name, fsynced, then renamed): "
        + "restore_command = 'pgark wal get --repo R %f %p'. A segment with no complete copy is served from its longest "
        + "partial object, zero-padded to the segment size; NNNNNNNN.history files are served as stored.\n\n"
        + "A repository may hold WAL of several clusters: --system-id names the one to read (restore_command lines pgark writes "
        + "always do). Without it the repository's only cluster is read; when it holds WAL of several, wal get fails "
        + "(exit 126) naming them.\n\n"
        + "Exit codes follow restore_command's contract. 1 means the archive has no such file, which recovery takes as "
        + "\"not available\" (the normal end of archived WAL). Every other failure exits 126, whatever its cause (repository "
        + "missing or unreadable, I/O error, damaged object, wrong passphrase, bad arguments, interrupted): PostgreSQL "
        + "treats an exit status above 125 as fatal and stops recovery, where any lower status would end recovery and "
        + "promote the server on a gap in the archive.",
        Arguments: "NAME DEST",
        MaxPositionals: 2,
        RunAsync);

    /// <summary>
    /// Whether a command line runs wal get, decided from the raw words so that even a command line the parser rejects
    /// (a misspelt option in restore_command) fails with restore_command's fatal status.
    /// </summary>
    public static bool IsInvocation(IReadOnlyList<string> args)
    {
        for (int i = 0; i + 1 < args.Count && args[i] != "--"; i++)
        {
            if (args[i] == "wal" && args[i + 1] == "get")
                return true;
        }
        return false;
    }

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        if (arguments.Positionals.Count != 2)
            throw new UsageException("wal get needs NAME and DEST", "restore_command = 'pgark wal get --repo R %f %p'");
        string name = arguments.Positionals[0];
        string destination = arguments.Positionals[1];
        Pgark.Repository.Repository repository = await RepositoryLocation.OpenAsync(context, arguments, loadIndex: false, cancellationToken).ConfigureAwait(false);
        WalStore store = await WalClusters.OpenAsync(repository, SystemIdArgument.Parse(arguments), cancellationToken).ConfigureAwait(false);
        if (await WalGet.GetAsync(store, name, destination, cancellationToken).ConfigureAwait(false))
            return ExitCode.Ok;
        context.Error.WriteLine($"pgark: {name} is not in the archive");
        context.Error.WriteLine("hint: during recovery this is the normal end of archived WAL; otherwise check the name and 'pgark status'");
        return ExitCode.CheckFailed;
    }
}
