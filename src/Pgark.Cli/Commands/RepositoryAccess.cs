using Pgark.Cli.Parsing;
using Pgark.Repository;
using Pgark.Repository.Storage;

namespace Pgark.Cli.Commands;

/// <summary>--repo and PGARK_PASSPHRASE, shared by every command that opens a repository.</summary>
internal static class RepositoryAccess
{
    public const string PassphraseVariable = "PGARK_PASSPHRASE";

    public static string Directory(ParsedArguments arguments)
        => arguments.Text(Options.Repo) ?? throw new UsageException("--repo is required",
            "give the repository directory with --repo DIR or PGARK_REPO (create one with pgark init --repo DIR)");

    public static Task<Repository.Repository> OpenAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        string directory = Directory(arguments);
        if (!File.Exists(Path.Combine(directory, "config")))
            throw new UsageException($"{directory} is not a pgark repository (it has no config file)",
                "check --repo, or create a repository there with pgark init --repo DIR");
        return Repository.Repository.OpenAsync(new LocalStore(directory),
            new RepositoryOptions { Passphrase = context.Environment(PassphraseVariable) }, cancellationToken);
    }
}
