using Pgark.Cli.Parsing;
using Pgark.Repository;
using Pgark.Repository.Storage;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark init</c>: create an empty repository.</summary>
internal static class InitCommand
{
    public static readonly CommandSpec Spec = new(
        "init",
        "Create an empty repository.",
        "Creates a repository in --repo, which must be missing or empty. With PGARK_PASSPHRASE set, the repository "
        + "is encrypted and that passphrase unlocks it; without, it is stored in plain (compressed) form.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: "created repository /backups/pg1 (encrypted: no)");

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        string directory = Path.GetFullPath(RepositoryAccess.Directory(arguments));
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw new UsageException($"{directory} is not empty", "give a new or empty directory to pgark init");
        Directory.CreateDirectory(directory);
        string? passphrase = context.Environment(RepositoryAccess.PassphraseVariable);
        await Repository.Repository.InitAsync(new LocalStore(directory), new RepositoryInitOptions { Passphrase = passphrase },
            new RepositoryOptions { Passphrase = passphrase }, cancellationToken).ConfigureAwait(false);
        context.Out.WriteLine($"created repository {directory} (encrypted: {(passphrase is null ? "no" : "yes")})");
        return ExitCode.Ok;
    }
}
