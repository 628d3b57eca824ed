using System.Diagnostics;

namespace Pgark.Tests.Cli;

/// <summary>
/// libzstd.so.1 is the one library pgark needs beyond the kernel and libc. These tests take it away for real: the
/// program runs in a private mount namespace (unshare -m, as root) where /dev/null is bind-mounted over every libzstd
/// file the dynamic loader knows (ldconfig -p), so dlopen finds the name and fails to load it, exactly as on a machine
/// without the package. Nothing in pgark is told it is under test. Runs against PGARK_BIN when set.
/// </summary>
public class MissingZstdTests
{
    private const string Problem =
        "pgark: libzstd.so.1, the Zstandard library pgark compresses repository data with, could not be loaded (tried: libzstd.so.1, libzstd, libzstd.so)\n";
    private const string Hint = "hint: install it: apt-get install libzstd1 (Debian/Ubuntu) or dnf install libzstd (RHEL)\n";

    [Fact]
    public async Task A_repository_command_names_the_library_and_the_package_and_exits_72()
    {
        string root = Directory.CreateTempSubdirectory("pgark-nozstd-").FullName;
        try
        {
            string repo = Path.Combine(root, "repo");
            var (code, output, error) = await RunWithoutZstdAsync(["init", "--repo", repo]);
            Assert.Equal(Problem + Hint, error);
            Assert.Equal(72, code);
            Assert.Equal("", output);
            Assert.False(File.Exists(Path.Combine(repo, "config")), "init wrote a config on a machine that cannot compress");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Commands_that_store_nothing_still_run()
    {
        var (code, output, error) = await RunWithoutZstdAsync(["--version"]);
        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.StartsWith("pgark ", output);
    }

    [Fact]
    public async Task The_namespace_really_hides_the_library()
    {
        // The control: the same namespace trick leaves the files readable as zero bytes, and the loader cannot use them.
        string[] files = LoaderZstdFiles();
        Assert.NotEmpty(files);
        var (code, output, error) = await RunAsync(["unshare", "-m", "sh", "-c", HideScript(files) + "wc -c \"$@\"", "sh", .. files]);
        Assert.True(code == 0, error);
        foreach (string file in files)
            Assert.Contains($"0 {file}", output);
    }

    private static Task<(int, string, string)> RunWithoutZstdAsync(string[] args)
    {
        string[] files = LoaderZstdFiles();
        // sh -c SCRIPT sh PROGRAM ARGS...: the script hides the files, then execs the rest of its arguments.
        return RunAsync(["unshare", "-m", "sh", "-c", HideScript(files) + "exec \"$@\"", "sh", .. PgarkBinary.CommandPrefix, .. args]);
    }

    private static string HideScript(IEnumerable<string> files)
        => "set -e; " + string.Concat(files.Select(f => $"mount --bind /dev/null '{f}'; "));

    /// <summary>The real files behind every libzstd name in the loader's cache (symlinks resolved, since a bind mount
    /// over a symlink lands on its target anyway), so no name pgark tries can reach a working copy.</summary>
    private static string[] LoaderZstdFiles()
    {
        string ldconfig = File.Exists("/sbin/ldconfig") ? "/sbin/ldconfig" : "/usr/sbin/ldconfig";
        var start = new ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        string cache = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return cache.Split('\n')
            .Where(line => line.TrimStart().StartsWith("libzstd.so", StringComparison.Ordinal) && line.Contains("=> ", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf("=> ", StringComparison.Ordinal) + 3)..].Trim())
            .Select(path => File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path)
            .Distinct()
            .ToArray();
    }

    private static async Task<(int, string, string)> RunAsync(string[] command)
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
