using System.Diagnostics;

namespace Pgark.Tests.Cli;

/// <summary>
/// Takes a system library away for real: the program runs in a private mount namespace (unshare -m, as root) where
/// /dev/null is bind-mounted over every file of that library the dynamic loader knows (ldconfig -p), so dlopen finds
/// the name and fails to load it, exactly as on a machine without the package. Nothing in pgark is told it is under
/// test. Runs against PGARK_BIN when set.
/// </summary>
internal static class HiddenLibrary
{
    /// <summary>pgark with <paramref name="args"/>, every file behind a loader name starting with <paramref name="soname"/> hidden.</summary>
    public static Task<(int Code, string Output, string Error)> RunPgarkWithoutAsync(string soname, string[] args)
    {
        string[] files = LoaderFiles(soname);
        Assert.NotEmpty(files);
        // sh -c SCRIPT sh PROGRAM ARGS...: the script hides the files, then execs the rest of its arguments.
        return RunAsync(["unshare", "-m", "sh", "-c", HideScript(files) + "exec \"$@\"", "sh", .. PgarkBinary.CommandPrefix, .. args]);
    }

    public static string HideScript(IEnumerable<string> files)
        => "set -e; " + string.Concat(files.Select(f => $"mount --bind /dev/null '{f}'; "));

    /// <summary>The real files behind every name in the loader's cache that starts with <paramref name="soname"/> (symlinks
    /// resolved, since a bind mount over a symlink lands on its target anyway), so no name tried can reach a working copy.</summary>
    public static string[] LoaderFiles(string soname)
    {
        string ldconfig = File.Exists("/sbin/ldconfig") ? "/sbin/ldconfig" : "/usr/sbin/ldconfig";
        var start = new ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        string cache = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return cache.Split('\n')
            .Where(line => line.TrimStart().StartsWith(soname, StringComparison.Ordinal) && line.Contains("=> ", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf("=> ", StringComparison.Ordinal) + 3)..].Trim())
            .Select(path => File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path)
            .Distinct()
            .ToArray();
    }

    public static async Task<(int Code, string Output, string Error)> RunAsync(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in command.Skip(1))
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
