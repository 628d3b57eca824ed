namespace Pgark.Physical.Restore;

/// <summary>
/// The permissions PostgreSQL insists on for a data directory (it refuses to start on a group- or world-accessible
/// one): directories 0700, files 0600. Windows has no such modes, so there the defaults apply.
/// </summary>
internal static class PrivateModes
{
    private const UnixFileMode Directory700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        Directory.CreateDirectory(path, Directory700);
        File.SetUnixFileMode(path, Directory700); // CreateDirectory leaves an existing directory's mode alone
    }

    public static void RestrictFile(string path)
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, File600);
    }

    public static FileStreamOptions NewFile(FileMode mode, long preallocate = 0)
    {
        // Unbuffered: restore writes whole pieces, and nothing may sit in a buffer once the file goes to its (deferred) fsync.
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, PreallocationSize = preallocate, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = File600;
        return options;
    }
}
