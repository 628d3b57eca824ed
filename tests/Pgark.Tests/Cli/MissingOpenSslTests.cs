using Pgark.Cli.Native;

namespace Pgark.Tests.Cli;

/// <summary>
/// Without OpenSSL's libssl, .NET's cryptography aborts the process ("No usable version of libssl was found", SIGABRT).
/// pgark checks first and refuses with exit 72. The library is taken away for real
/// (<see cref="HiddenLibrary"/>): every libssl.so* the loader knows, not NSS's libssl3.so.
/// </summary>
public class MissingOpenSslTests
{
    private const string Problem = "pgark: libssl (OpenSSL 1.1.1 or 3), which .NET's cryptography calls, could not be loaded "
        + "(tried: libssl.so.3, libssl.so.1.1, libssl.so.1.0.2, libssl.so.1.0.0, libssl.so.10, libssl.so.1.0)\n";
    private const string Hint = "hint: install it: apt-get install libssl3 (Debian/Ubuntu) or dnf install openssl-libs (RHEL)\n";

    [Fact]
    public async Task A_command_names_the_library_and_the_package_and_exits_72_instead_of_aborting()
    {
        string root = Directory.CreateTempSubdirectory("pgark-nossl-").FullName;
        try
        {
            string repo = Path.Combine(root, "repo");
            var (code, output, error) = await RunWithoutOpenSslAsync(["init", "--repo", repo]);
            Assert.Equal(Problem + Hint, error);
            Assert.Equal(72, code);
            Assert.Equal("", output);
            Assert.False(Directory.Exists(repo), "init created the repository on a machine that cannot hash or draw random ids");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Version_and_help_need_no_cryptography()
    {
        var (code, output, error) = await RunWithoutOpenSslAsync(["--version"]);
        Assert.Equal((0, ""), (code, error));
        Assert.StartsWith("pgark ", output);
        (code, output, error) = await RunWithoutOpenSslAsync(["help", "tune"]);
        Assert.Equal((0, ""), (code, error));
        Assert.StartsWith("usage: pgark tune", output);
    }

    [Fact]
    public void The_override_version_is_tried_first_and_every_name_is_reported()
    {
        var tried = new List<string>();
        var error = Assert.Throws<OpenSslNotFoundException>(() => OpenSslLibrary.Ensure(
            name => name == "CLR_OPENSSL_VERSION_OVERRIDE" ? "1.1.1w" : null, name => { tried.Add(name); return false; }));
        Assert.Equal(["libssl.so.1.1.1w", .. OpenSslLibrary.s_candidateNames], tried);
        Assert.Contains("(tried: libssl.so.1.1.1w, libssl.so.3, libssl.so.1.1,", error.Message);

        // The first name that loads ends the search.
        tried.Clear();
        OpenSslLibrary.Ensure(_ => null, name => { tried.Add(name); return name == "libssl.so.1.1"; });
        Assert.Equal(["libssl.so.3", "libssl.so.1.1"], tried);
    }

    private static Task<(int Code, string Output, string Error)> RunWithoutOpenSslAsync(string[] args)
        => HiddenLibrary.RunPgarkWithoutAsync("libssl.so", args);
}
