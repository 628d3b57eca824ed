using Pgark.Cli.Parsing;
using Pgark.Wal;

namespace Pgark.Cli.Commands.Wal;

/// <summary><c>pgark wal push</c>: archive_command.</summary>
internal static class WalPushCommand
{
    public static readonly CommandSpec Spec = new(
        "wal push",
        "Archive one WAL file (for archive_command).",
        "Stores a WAL segment, a timeline's last segment (NAME.partial) or a timeline history file (NNNNNNNN.history) in "
        + "the repository, fsynced and read back before it exits 0: archive_command = 'pgark wal push --repo R %p'.\n\n"
        + "Pushing a file that is already archived with the same bytes succeeds (PostgreSQL retries files whose archiving it "
        + "could not confirm). A different file under an archived name fails with exit code 7 and changes nothing. "
        + "A file whose first page names another segment than its file name is refused (exit code 2).\n\n"
        + "Each cluster's WAL is stored apart (one repository may archive several clusters): a segment goes to the cluster its "
        + "first page names; a history file to --system-id, else to the cluster of the pg_control beside the pg_wal it is "
        + "pushed from (archive_command runs in the data directory), else to the repository's only cluster.\n\n"
        + "A backup history file (NAME.OOOOOOOO.backup, written when a base backup ends) is accepted and not stored "
        + "(exit 0, \"skipped\"): recovery never reads one and pgark's snapshot of the backup records the same facts.",
        Arguments: "PATH",
        MaxPositionals: 1,
        RunAsync,
        Output: """
            stored 000000010000000000000003
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        string path = arguments.Positionals.Count == 1 ? arguments.Positionals[0]
            : throw new UsageException("no WAL file given", "pass the path of the file to archive (archive_command's %p)");
        if (!File.Exists(path))
            throw new UsageException($"WAL file \"{path}\" does not exist", "pass the path of the file to archive (archive_command's %p)");
        Pgark.Repository.Repository repository = await RepositoryLocation.OpenAsync(context, arguments, loadIndex: false, cancellationToken).ConfigureAwait(false);
        WalPushOutcome outcome = await WalPush.PushAsync(repository, path, SystemIdArgument.Parse(arguments), cancellationToken).ConfigureAwait(false);
        string said = outcome switch
        {
            WalPushOutcome.Stored => "stored",
            WalPushOutcome.AlreadyArchived => "already archived",
            _ => "skipped backup history file",
        };
        context.Out.WriteLine($"{said} {Path.GetFileName(path)}");
        return ExitCode.Ok;
    }
}
