using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pgark.Physical.Restore;

/// <summary>
/// open(2) with O_DIRECT and the fcntl(2) that turns it off again, for <see cref="DirectFileStream"/>. .NET's FileStream
/// cannot ask for O_DIRECT, and its flag value differs by architecture (x86-64 0x4000, arm64 0x10000), so only those two
/// are known; elsewhere <see cref="TryOpen"/> declines and the restore writes through the page cache.
/// </summary>
internal static partial class DirectIo
{
    /// <summary>Buffer addresses, file offsets and write lengths are multiples of this (the largest logical block size).</summary>
    public const int Alignment = 4096;

    private const int WriteOnly = 0x1, Create = 0x40, Exclusive = 0x80, Truncate = 0x200, CloseOnExec = 0x80000;
    private const int GetFlags = 3, SetFlags = 4;
    private const int Interrupted = 4, NoSuchDevice = 19, InvalidArgument = 22, NotSupported = 95;
    private const int File600 = 0x180;

    private static int DirectFlag => OperatingSystem.IsLinux()
        ? RuntimeInformation.ProcessArchitecture switch { Architecture.X64 => 0x4000, Architecture.Arm64 => 0x10000, _ => 0 }
        : 0;

    /// <summary>
    /// Creates <paramref name="path"/> (mode 0600; replacing its content when <paramref name="replace"/>, else failing if it
    /// exists) for writing with O_DIRECT. Null when this system or the file's filesystem does not do direct I/O (tmpfs
    /// before Linux 6.6 refuses it with EINVAL); then nothing was created.
    /// </summary>
    public static SafeFileHandle? TryOpen(string path, bool replace)
    {
        int direct = DirectFlag;
        if (direct == 0)
            return null;
        int fd = Open(path, WriteOnly | Create | CloseOnExec | direct | (replace ? Truncate : Exclusive), File600);
        if (fd >= 0)
            return new SafeFileHandle(fd, ownsHandle: true);
        int errno = Marshal.GetLastPInvokeError();
        if (errno is InvalidArgument or NotSupported or NoSuchDevice)
            return null;
        throw new IOException($"cannot create '{path}': {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    /// <summary>
    /// pwrite(2) of all <paramref name="length"/> bytes at <paramref name="offset"/>. A filesystem that accepted the open but
    /// refuses a direct write (EINVAL) gets O_DIRECT turned off and the write again through the page cache.
    /// </summary>
    public static unsafe void WriteAll(SafeFileHandle handle, byte* data, int length, long offset)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            while (length > 0)
            {
                nint written = PositionalWrite(fd, data, length, offset);
                if (written < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Interrupted)
                        continue;
                    if (errno == InvalidArgument && (Fcntl(fd, GetFlags, 0) & DirectFlag) != 0)
                    {
                        TurnOff(handle);
                        continue;
                    }
                    throw new IOException(Marshal.GetPInvokeErrorMessage(errno), errno);
                }
                data += written;
                length -= (int)written;
                offset += written;
            }
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    /// <summary>Turns O_DIRECT off on an open file, so the writes that follow go through the page cache.</summary>
    public static void TurnOff(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            int flags = Fcntl(fd, GetFlags, 0);
            if (flags < 0 || Fcntl(fd, SetFlags, flags & ~DirectFlag) < 0)
                throw new IOException($"cannot turn direct I/O off: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static unsafe partial nint PositionalWrite(int fd, byte* data, nint length, long offset);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
