using System.Runtime.InteropServices;

namespace Pgark.Repository.Storage;

/// <summary>
/// Publishes a finished temporary file under its final name with link(2). Unlike rename(2) — and unlike
/// File.Move(overwrite: false), which checks for the name and then renames, leaving a window — link never replaces
/// an existing name, so of several writers racing for one name exactly one wins.
/// </summary>
internal static partial class NoReplaceLink
{
    private const int EEXIST = 17;

    /// <returns>false when <paramref name="newPath"/> already exists; throws <see cref="IOException"/> on any other failure.</returns>
    public static bool TryLink(string existingPath, string newPath)
    {
        if (Link(existingPath, newPath) == 0)
            return true;
        int errno = Marshal.GetLastPInvokeError();
        return errno == EEXIST ? false : throw new IOException($"link('{existingPath}', '{newPath}') failed (errno {errno})");
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existingPath, string newPath);
}
