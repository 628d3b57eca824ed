using Pgark.Cli.Parsing;
using Pgark.Repository;
using Pgark.Repository.Storage;

namespace Pgark.Cli.Commands.Wal;

/// <summary>Opens the repository named by --repo (PGARK_REPO), with PGARK_PASSPHRASE for an encrypted one.</summary>
internal static class RepositoryOption
{
    public static async Task<Pgark.Repository.Repository> OpenAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        string path = arguments.Text(Options.Repo)
            ?? throw new UsageException("no repository given", "name it with --repo PATH or the PGARK_REPO environment variable");
        if (!Directory.Exists(path))
            throw new UsageException($"repository \"{path}\" does not exist", "check --repo; a repository is a directory created by pgark init");
        if (!File.Exists(Path.Combine(path, "config")))
            throw new RepositoryStorageException($"\"{path}\" is not a pgark repository: it has no config file");
        var options = new RepositoryOptions { Passphrase = context.Environment("PGARK_PASSPHRASE") };
        return await Pgark.Repository.Repository.OpenAsync(new LocalStore(path), options, cancellationToken).ConfigureAwait(false);
    }
}
