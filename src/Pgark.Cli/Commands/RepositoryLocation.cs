using Pgark.Cli.Parsing;
using Pgark.Repository;
using Pgark.Repository.Config;
using Pgark.Repository.Storage;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Cli.Commands;

/// <summary>
/// How the repository commands find and unlock a repository: --repo (or PGARK_REPO) names a directory, the passphrase
/// comes from PGARK_PASSPHRASE or --passphrase-file. A directory that is missing or holds no config is refused before
/// anything is created in it.
/// </summary>
internal static class RepositoryLocation
{
    public const string PassphraseVariable = "PGARK_PASSPHRASE";

    /// <summary>The --repo directory, required.</summary>
    public static string Directory(ParsedArguments arguments)
        => arguments.Text(Options.Repo) ?? throw new UsageException(
            $"pgark {arguments.Command} needs a repository", "give --repo DIR (or set PGARK_REPO)");

    /// <summary>A store over an existing repository directory; refuses a missing directory or one without a config file.</summary>
    public static LocalStore OpenStore(ParsedArguments arguments)
    {
        var directory = Directory(arguments);
        if (!System.IO.Directory.Exists(directory))
            throw new RepositoryNotFoundException(directory, "the directory does not exist");
        if (!File.Exists(Path.Combine(directory, RepositoryConfig.FileName)))
            throw new RepositoryNotFoundException(directory, "it has no config file, so it is not a pgark repository");
        return new LocalStore(directory);
    }

    /// <summary>Opens the repository and loads its index.</summary>
    public static Task<Repo> OpenAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
        => OpenAsync(context, arguments, loadIndex: true, cancellationToken);

    /// <summary>
    /// Opens the repository, reading its chunk index only when <paramref name="loadIndex"/>: commands that read only snapshot
    /// records and WAL objects skip it, since its reading time grows with the repository (RepositoryOptions.LoadIndex).
    /// </summary>
    public static Task<Repo> OpenAsync(CliContext context, ParsedArguments arguments, bool loadIndex, CancellationToken cancellationToken)
    {
        var store = OpenStore(arguments);
        var options = new RepositoryOptions { Passphrase = Passphrase(context, arguments), LoadIndex = loadIndex };
        return Repo.OpenAsync(store, options, cancellationToken);
    }

    /// <summary>The passphrase from --passphrase-file (first line) or PGARK_PASSPHRASE; null when neither is given.</summary>
    public static string? Passphrase(CliContext context, ParsedArguments arguments)
    {
        if (arguments.Text(Options.PassphraseFile) is { } file)
        {
            try
            {
                var text = File.ReadAllText(file);
                var end = text.IndexOfAny(['\r', '\n']);
                var passphrase = end < 0 ? text : text[..end];
                return passphrase.Length > 0 ? passphrase
                    : throw new UsageException($"passphrase file '{file}' is empty", "write the passphrase on the first line of the file");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read passphrase file '{file}': {e.Message}", "check the path and its permissions");
            }
        }
        return context.Environment(PassphraseVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
    }
}

/// <summary>--repo does not name a repository. Exit 7 like every repository error, with a hint that says what to do.</summary>
internal sealed class RepositoryNotFoundException(string directory, string reason)
    : RepositoryException($"no pgark repository at '{directory}': {reason}")
{
    public override string Hint => "check --repo (or PGARK_REPO); create a repository there with 'pgark init --repo DIR'";
}
