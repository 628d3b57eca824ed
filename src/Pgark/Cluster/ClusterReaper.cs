using System.Collections.Concurrent;
using System.Globalization;

namespace Pgark.Cluster;

/// <summary>
/// Safety nets so scratch servers never outlive the process that made them:
/// at process exit (normal, SIGTERM, unhandled exception) every cluster not yet disposed is killed and
/// deleted; and since a SIGKILLed process runs no handler, each cluster directory records its owner's pid
/// and start time in <see cref="OwnerFileName"/>, and the first cluster a process creates sweeps up the
/// directories (and postmasters) of owners that no longer exist.
/// </summary>
internal static class ClusterReaper
{
    public const string OwnerFileName = "pgark-owner";
    private const string DirectoryPrefix = "pgark-cluster-";

    private static readonly ConcurrentDictionary<LocalCluster, bool> s_live = new();
    private static readonly Lazy<bool> s_hooked = new(Hook);
    private static readonly Lazy<bool> s_swept = new(Sweep);
    private static readonly TimeSpan s_killWait = TimeSpan.FromSeconds(10);

    public static void Register(LocalCluster cluster)
    {
        _ = s_hooked.Value;
        s_live[cluster] = true;
        int self = Environment.ProcessId;
        File.WriteAllText(Path.Combine(cluster.Directory, OwnerFileName),
            $"{self} {ProcessTree.StartTime(self)}\n");
    }

    public static void Unregister(LocalCluster cluster) => s_live.TryRemove(cluster, out _);

    /// <summary>Removes leftovers of dead processes, once per process.</summary>
    public static void SweepStale() => _ = s_swept.Value;

    /// <summary>Sweeps now, whether or not this process swept before (tests).</summary>
    internal static void SweepNow() => Sweep();

    private static bool Hook()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
        return true;
    }

    private static void KillAll()
    {
        foreach (LocalCluster cluster in s_live.Keys)
        {
            cluster.KillAtExit();
        }
    }

    private static bool Sweep()
    {
        string tempRoot = Environment.IsPrivilegedProcess ? "/tmp" : Path.GetTempPath();
        foreach (string dir in Directory.EnumerateDirectories(tempRoot, DirectoryPrefix + "*"))
        {
            try
            {
                if (OwnerIsGone(dir))
                {
                    KillPostmaster(Path.Combine(dir, "data"));
                    Directory.Delete(dir, recursive: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // Another process is sweeping the same directory, or it is not ours to remove.
            }
        }
        return true;
    }

    private static bool OwnerIsGone(string dir)
    {
        string ownerFile = Path.Combine(dir, OwnerFileName);
        if (!File.Exists(ownerFile))
        {
            return false; // being created right now, or not a LocalCluster directory
        }
        string[] owner = File.ReadAllText(ownerFile).Split(' ', StringSplitOptions.TrimEntries);
        int pid = int.Parse(owner[0], CultureInfo.InvariantCulture);
        long? recorded = owner.Length > 1 && owner[1].Length > 0 ? long.Parse(owner[1], CultureInfo.InvariantCulture) : null;
        return ProcessTree.IsGone(pid) || ProcessTree.StartTime(pid) != recorded;
    }

    /// <summary>Kills the postmaster named by postmaster.pid (and its children) if it is still a postgres process.</summary>
    private static void KillPostmaster(string dataDirectory)
    {
        string pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)
            || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            || ProcessTree.IsGone(pid))
        {
            return;
        }
        string comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
        if (comm != "postgres")
        {
            return; // the pid was reused by something else
        }
        ProcessTree.WaitUntilGone(ProcessTree.Kill(pid), s_killWait);
    }
}
