using System.Globalization;

namespace Pgark.Cluster;

/// <summary>
/// Parent/child relations and liveness from /proc. PostgreSQL's children each call setsid(), so a process
/// group cannot name "the server and its children"; the parent links can.
/// </summary>
internal static class ProcessTree
{
    /// <summary>Every living descendant of <paramref name="rootPid"/>, children before grandchildren.</summary>
    public static List<int> Descendants(int rootPid)
    {
        var childrenOf = new Dictionary<int, List<int>>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && ReadStat(pid) is { } stat && stat.State is not ('Z' or 'X'))
            {
                if (!childrenOf.TryGetValue(stat.ParentPid, out List<int>? siblings))
                {
                    childrenOf[stat.ParentPid] = siblings = [];
                }
                siblings.Add(pid);
            }
        }
        var result = new List<int>();
        var pending = new Queue<int>([rootPid]);
        while (pending.TryDequeue(out int parent))
        {
            foreach (int child in childrenOf.GetValueOrDefault(parent) ?? [])
            {
                result.Add(child);
                pending.Enqueue(child);
            }
        }
        return result;
    }

    /// <summary>
    /// Freezes <paramref name="rootPid"/> (SIGSTOP, so it forks nothing more), then SIGKILLs it and every
    /// descendant. Returns the pids signalled; they may take a moment to be gone (see <see cref="IsGone"/>).
    /// </summary>
    public static List<int> Kill(int rootPid)
    {
        Posix.Signal(rootPid, Posix.SigStop);
        List<int> tree = [rootPid, .. Descendants(rootPid)];
        foreach (int pid in tree)
        {
            Posix.Signal(pid, Posix.SigKill);
        }
        return tree;
    }

    /// <summary>Blocks until every pid is gone or <paramref name="timeout"/> passes; false on timeout.</summary>
    public static bool WaitUntilGone(IReadOnlyList<int> pids, TimeSpan timeout)
        => SpinWait.SpinUntil(() => pids.All(IsGone), timeout);

    /// <summary>True when the process no longer exists or is a zombie (dead, waiting to be reaped).</summary>
    public static bool IsGone(int pid) => ReadStat(pid) is not { State: not ('Z' or 'X') };

    /// <summary>Field 22 of /proc/pid/stat: start time in clock ticks since boot, telling a reused pid apart.</summary>
    public static long? StartTime(int pid) => ReadStat(pid)?.StartTime;

    private static (char State, int ParentPid, long StartTime)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) S ppid ..."; comm may hold spaces and parentheses, so fields start after the last ')'.
        string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[19], CultureInfo.InvariantCulture));
    }
}
