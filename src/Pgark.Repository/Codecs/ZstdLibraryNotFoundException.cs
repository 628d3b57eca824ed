namespace Pgark.Repository.Codecs;

/// <summary>The system libzstd could not be loaded (or is too old); the message says what to install.</summary>
public sealed class ZstdLibraryNotFoundException : Exception
{
    internal const string InstallHint =
        "libzstd.so.1 not found; install it: apt-get install libzstd1 (Debian/Ubuntu) or dnf install libzstd (RHEL)";

    private ZstdLibraryNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal static ZstdLibraryNotFoundException NotFound(string triedNames, Exception? innerException) =>
        new($"{InstallHint} (tried: {triedNames})", innerException);

    internal static ZstdLibraryNotFoundException TooOld(uint version) =>
        new($"libzstd {version / 10000}.{version / 100 % 100}.{version % 100} is too old; pgark needs 1.4.0 or newer: "
            + "upgrade it with apt-get install libzstd1 (Debian/Ubuntu) or dnf install libzstd (RHEL)", null);
}
