using System.Runtime.InteropServices;

namespace Pgark.Cluster;

/// <summary>
/// The few libc calls .NET has no API for: signalling a process by number (the postmaster's shutdown modes are
/// SIGTERM/SIGINT/SIGQUIT, not just SIGKILL), changing a file's owner, and looking up the server account.
/// </summary>
internal static partial class Posix
{
    // Linux numbering; the scratch cluster is a Linux-only test and drill tool.
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigQuit = 3;
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigStop = 19;

    private const int Esrch = 3;

    /// <summary>Sends <paramref name="signal"/>; false when the process no longer exists.</summary>
    public static bool Signal(int pid, int signal)
    {
        if (kill(pid, signal) == 0)
        {
            return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Esrch)
        {
            return false;
        }
        throw new LocalClusterException($"kill({pid}, {signal}) failed: errno {errno}");
    }

    public static void ChangeOwner(string path, ServerAccount account)
    {
        if (lchown(path, account.UserId, account.GroupId) != 0)
        {
            throw new LocalClusterException(
                $"could not give {path} to {account.Name}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The uid and gid of <paramref name="name"/>, or null when the account does not exist.</summary>
    public static (uint UserId, uint GroupId)? LookUpUser(string name)
    {
        IntPtr entry = getpwnam(name);
        if (entry == IntPtr.Zero)
        {
            return null;
        }
        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; ... } on glibc and musl.
        int offset = 2 * IntPtr.Size;
        uint uid = (uint)Marshal.ReadInt32(entry, offset);
        uint gid = (uint)Marshal.ReadInt32(entry, offset + sizeof(uint));
        return (uid, gid);
    }

    public static uint EffectiveUserId => geteuid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, uint owner, uint group);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getpwnam(string name);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
