namespace Pgark.Repository.Codecs;

/// <summary>The system libzstd could not be loaded (or is too old); the message says what to install.</summary>
public sealed class ZstdLibraryNotFoundException : Exception
{
    internal const string InstallHint =
        "libzstd.so.1 not found; install it: apt-get install libzstd1 (Debian/Ubuntu) or dnf install libzstd (RHEL)";

    private ZstdLibraryNotFoundException(string message, string problem, string hint, Exception? innerException)
        : base(message, innerException)
    {
        Problem = problem;
        Hint = hint;
    }

    /// <summary>What is wrong, without the remedy: for a front end that prints the remedy on its own line.</summary>
    public string Problem { get; }

    /// <summary>What to do about it: the package to install or upgrade, by distribution.</summary>
    public string Hint { get; }

    internal static ZstdLibraryNotFoundException NotFound(string triedNames, Exception? innerException) =>
        new($"{InstallHint} (tried: {triedNames})",
            $"libzstd.so.1, the Zstandard library pgark compresses repository data with, could not be loaded (tried: {triedNames})",
            "install it: apt-get install libzstd1 (Debian/Ubuntu) or dnf install libzstd (RHEL)", innerException);

    internal static ZstdLibraryNotFoundException TooOld(uint version)
    {
        string problem = $"libzstd {version / 10000}.{version / 100 % 100}.{version % 100} is too old; pgark needs 1.4.0 or newer";
        const string hint = "upgrade it with apt-get install libzstd1 (Debian/Ubuntu) or dnf install libzstd (RHEL)";
        return new($"{problem}: {hint}", problem, hint, null);
    }
}
