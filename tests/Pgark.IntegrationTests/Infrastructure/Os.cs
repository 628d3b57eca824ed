using System.Diagnostics;

namespace Pgark.IntegrationTests.Infrastructure;

/// <summary>Facts about files and processes, asked of the operating system's own tools.</summary>
public static class Os
{
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>The name of the account owning <paramref name="path"/> (<c>stat -c %U</c>).</summary>
    public static string FileOwner(string path) => Run("stat", "-c", "%U", path);

    /// <summary>The real uid of a process (second field of "Uid:" in /proc/pid/status).</summary>
    public static string ProcessUserId(int pid)
        => File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

    public static string UserId(string account) => Run("id", "-u", account);

    public static bool ProcessExists(int pid)
        => File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1][0] is not ('Z' or 'X');

    public static string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {error}");
        return output.Trim();
    }
}
