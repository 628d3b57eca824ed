using System.Globalization;
using Pgark.Cli.Parsing;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark init</c>: creates a repository (format v1) in an empty or new directory.</summary>
internal static class InitCommand
{
    public static readonly CommandSpec Spec = new(
        "init",
        "Create a new repository.",
        "Creates a repository of format version 1 in --repo (the directory is created if missing; a directory that already "
        + "holds a repository is refused). With --encrypt, a random master key is wrapped with the passphrase from "
        + "PGARK_PASSPHRASE or --passphrase-file and every object is sealed with it; without it, nothing is encrypted. "
        + "Format v1 records only the format version, encryption and the repository id in config: --compression and "
        + "--pack-size are checked here and are settings of each writing process, not of the repository.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            created repository 3f9a1c0d5e7b2a4c at /backups/main (format v1, encrypted)
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var directory = RepositoryLocation.Directory(arguments);
        var encrypt = arguments.Flag(Options.Encrypt);
        var passphrase = RepositoryLocation.Passphrase(context, arguments);
        if (encrypt && passphrase is null)
            throw new UsageException("--encrypt needs a passphrase",
                $"set {RepositoryLocation.PassphraseVariable} or give --passphrase-file FILE");
        if (!encrypt && passphrase is not null && arguments.Has(Options.PassphraseFile))
            throw new UsageException("--passphrase-file given without --encrypt", "add --encrypt to make an encrypted repository");
        _ = ParseCompression(arguments.Text(Options.Compression));

        var init = new RepositoryInitOptions { Passphrase = encrypt ? passphrase : null };
        var repository = await Repo.InitAsync(new LocalStore(directory), init, cancellationToken: cancellationToken).ConfigureAwait(false);
        context.Out.WriteLine($"created repository {repository.Config.RepositoryIdHex[..16]} at {Path.GetFullPath(directory)} "
            + $"(format v{repository.Config.FormatVersion}, {(repository.Config.Encrypted ? "encrypted" : "not encrypted")})");
        return ExitCode.Ok;
    }

    /// <summary>"zstd:N" (N from -7 to 22) or "none"; returns the zstd level or null for uncompressed.</summary>
    public static int? ParseCompression(string? text)
    {
        if (text is null)
            return 3;
        if (text == "none")
            return null;
        if (text.StartsWith("zstd:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(5), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var level)
            && level is >= -7 and <= 22 and not 0)
            return level;
        throw new UsageException($"invalid --compression \"{text}\"", "use zstd:N with N from -7 to 22 (not 0), e.g. zstd:3, or none");
    }
}
