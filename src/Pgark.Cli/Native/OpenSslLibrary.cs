using System.Runtime.InteropServices;

namespace Pgark.Cli.Native;

/// <summary>
/// .NET's cryptography on Linux (SHA-256 of manifests, random ids and lock nonces, SCRAM, MD5, TLS, AES-GCM) calls OpenSSL.
/// When no libssl can be loaded, the runtime's OpenSSL shim prints "No usable version of libssl was found" and aborts the
/// process (SIGABRT, exit 134) the first time any of it is touched, with no way to catch it. So before a command runs,
/// pgark loads libssl itself, with the names the shim tries, and refuses with exit 72 and the package to install.
/// </summary>
internal static class OpenSslLibrary
{
    /// <summary>The sonames the runtime's shim (opensslshim.c) looks for, newest first.</summary>
    internal static readonly string[] s_candidateNames =
        ["libssl.so.3", "libssl.so.1.1", "libssl.so.1.0.2", "libssl.so.1.0.0", "libssl.so.10", "libssl.so.1.0"];

    private static bool s_found;

    /// <summary>Throws <see cref="OpenSslNotFoundException"/> when no libssl the runtime could use loads (Linux only).</summary>
    public static void EnsureLoadable(Func<string, string?> environment)
    {
        if (s_found || !OperatingSystem.IsLinux())
            return;
        Ensure(environment, static name => NativeLibrary.TryLoad(name, out _));
        s_found = true;
    }

    /// <param name="tryLoad">Loads one library by name (dlopen), for tests to stand in a machine without OpenSSL.</param>
    internal static void Ensure(Func<string, string?> environment, Func<string, bool> tryLoad)
    {
        // The shim tries libssl.so.<CLR_OPENSSL_VERSION_OVERRIDE> first when it is set.
        var names = environment("CLR_OPENSSL_VERSION_OVERRIDE") is { Length: > 0 } version
            ? ["libssl.so." + version, .. s_candidateNames]
            : s_candidateNames;
        foreach (var name in names)
        {
            if (tryLoad(name))
                return;
        }
        throw new OpenSslNotFoundException(string.Join(", ", names));
    }
}

/// <summary>No OpenSSL libssl could be loaded; the report says what to install.</summary>
internal sealed class OpenSslNotFoundException(string triedNames)
    : Exception($"libssl (OpenSSL 1.1.1 or 3), which .NET's cryptography calls, could not be loaded (tried: {triedNames})")
{
    public const string Hint = "install it: apt-get install libssl3 (Debian/Ubuntu) or dnf install openssl-libs (RHEL)";
}
