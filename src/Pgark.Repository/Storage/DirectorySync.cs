using System.Runtime.InteropServices;

namespace Pgark.Repository.Storage;

/// <summary>
/// fsync of a directory, so a rename into it survives power loss. .NET cannot open a directory as a stream,
/// so this goes to libc directly. No-op off Unix.
/// </summary>
internal static partial class DirectorySync
{
    private const int O_RDONLY = 0;
    private const int O_DIRECTORY_LINUX = 0x10000;

    public static void Fsync(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = Open(directory, O_RDONLY | O_DIRECTORY_LINUX);
        if (fd < 0)
            throw new RepositoryStorageException($"cannot open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (FsyncFd(fd) != 0)
                throw new RepositoryStorageException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
