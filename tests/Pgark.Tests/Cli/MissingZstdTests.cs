namespace Pgark.Tests.Cli;

/// <summary>
/// libzstd.so.1, which pgark compresses repository data with, taken away for real (<see cref="HiddenLibrary"/>).
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
        string[] files = HiddenLibrary.LoaderFiles("libzstd.so");
        Assert.NotEmpty(files);
        var (code, output, error) = await HiddenLibrary.RunAsync(["unshare", "-m", "sh", "-c", HiddenLibrary.HideScript(files) + "wc -c \"$@\"", "sh", .. files]);
        Assert.True(code == 0, error);
        foreach (string file in files)
            Assert.Contains($"0 {file}", output);
    }

    private static Task<(int Code, string Output, string Error)> RunWithoutZstdAsync(string[] args)
        => HiddenLibrary.RunPgarkWithoutAsync("libzstd.so", args);
}
