using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pgark.Physical.Restore;

/// <summary>
/// sync_file_range(2) with SYNC_FILE_RANGE_WRITE: asks Linux to start writing a file's dirty pages back now, without
/// waiting (PostgreSQL's pg_flush_data does the same before its fsyncs). Only a head start for the fsync that must still
/// follow; it gives no durability itself, so a failure is ignored (the fsync reports it) and other systems do nothing.
/// </summary>
internal static partial class Writeback
{
    private const uint SyncFileRangeWrite = 2;

    /// <summary>Starts writeback of the file's dirty pages in [<paramref name="offset"/>, + <paramref name="count"/>); 0 bytes: to its end.</summary>
    public static void Start(SafeFileHandle file, long offset = 0, long count = 0)
    {
        if (!OperatingSystem.IsLinux())
            return;
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            _ = SyncFileRange((int)file.DangerousGetHandle(), offset, count, SyncFileRangeWrite);
        }
        finally
        {
            if (added)
                file.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(int fd, long offset, long count, uint flags);
}
