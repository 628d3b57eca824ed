using System.Globalization;
using System.Numerics;
using Pgark.Cli.Parsing;
using Pgark.Repository;
using Pgark.Repository.Chunking;
using Pgark.Repository.Config;
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
        + "--compression, --pack-size, --extent-size and --chunk-size are recorded in the repository's settings (spec §4.1) and "
        + "used by every later backup; pgark tune --apply changes them later. Data already stored stays readable whatever they are.",
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
        var storage = StorageSettingsOf(arguments);

        var init = new RepositoryInitOptions { Passphrase = encrypt ? passphrase : null, Storage = storage };
        var repository = await Repo.InitAsync(new LocalStore(directory), init, cancellationToken: cancellationToken).ConfigureAwait(false);
        context.Out.WriteLine($"created repository {repository.Config.RepositoryIdHex[..16]} at {Path.GetFullPath(directory)} "
            + $"(format v{repository.Config.FormatVersion}, {(repository.Config.Encrypted ? "encrypted" : "not encrypted")})");
        return ExitCode.Ok;
    }

    /// <summary>The settings init records: the defaults with each given option applied, validated.</summary>
    internal static StorageSettings StorageSettingsOf(ParsedArguments arguments)
    {
        var settings = StorageSettings.Default with { CompressionLevel = ParseCompression(arguments.Text(Options.Compression)) };
        if (arguments.Integer(Options.PackSize) is { } packMiB)
            settings = settings with { PackTargetSize = (int)packMiB << 20 };
        if (arguments.Integer(Options.ExtentSize) is { } extentKiB)
        {
            if (!BitOperations.IsPow2(extentKiB))
                throw new UsageException($"invalid --extent-size {extentKiB}", "use a power of two from 8 to 4096 (KiB), e.g. 256");
            settings = settings with { ExtentSize = (int)extentKiB << 10 };
        }
        if (arguments.Integer(Options.ChunkSize) is { } averageKiB)
        {
            if (!BitOperations.IsPow2(averageKiB))
                throw new UsageException($"invalid --chunk-size {averageKiB}", "use a power of two from 4 to 4096 (KiB), e.g. 128");
            var average = (int)averageKiB << 10;
            settings = settings with { Chunking = new FastCdcOptions(average / 4, average, average * 4) };
        }
        settings.Validate();
        return settings;
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
