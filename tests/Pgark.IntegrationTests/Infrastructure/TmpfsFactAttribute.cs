using System.Diagnostics;

namespace Pgark.IntegrationTests.Infrastructure;

/// <summary>A fact that mounts a small tmpfs (a full filesystem on demand); skipped, with the reason, where mounting is not permitted.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_unavailable = new(Probe);

    public TmpfsFactAttribute()
    {
        if (s_unavailable.Value is { } reason)
            Skip = reason;
    }

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MiB at a new directory; dispose to unmount and remove it.</summary>
    public static Tmpfs Mount(int megabytes)
    {
        string directory = Path.Combine("/tmp", "pgark-tmpfs-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0755", "tmpfs", directory);
        if (code != 0)
            throw new InvalidOperationException($"mount -t tmpfs failed ({code}): {error}");
        return new Tmpfs(directory);
    }

    private static string? Probe()
    {
        if (!Environment.IsPrivilegedProcess)
            return "mounting a tmpfs needs root";
        try
        {
            using var probe = Mount(1);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return "this environment does not permit mounting a tmpfs: " + e.Message;
        }
    }

    internal static (int Code, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Trim());
    }

    public sealed class Tmpfs(string directory) : IDisposable
    {
        public string Directory { get; } = directory;

        public void Dispose()
        {
            Run("umount", Directory);
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
