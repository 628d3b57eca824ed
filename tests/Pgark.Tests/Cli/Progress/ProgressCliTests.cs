using System.Diagnostics;
using System.Text.RegularExpressions;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Tests.Cli.Progress;

/// <summary>
/// The progress bar as the pgark process draws it: nothing when stderr is a pipe, a bar on a real terminal (a pty from
/// util-linux's script), never anything in stdout.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class ProgressCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pgark-progress-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string RepoDir => Path.Combine(_root, "repo");

    private string Summary => "checked 1 snapshot(s), 1 pack(s), 3 chunk(s) read: 0 error(s), 0 warning(s)\n";

    [Fact]
    public async Task With_stderr_a_pipe_check_verify_and_prune_print_no_progress()
    {
        await BuildRepositoryAsync();
        foreach (string[] args in new[] { ["check", "--read-data"], ["verify", "--read-data"], new[] { "prune" } })
        {
            var (code, output, error) = Run([.. args, "--repo", RepoDir]);
            // verify fails (exit 1) on this repository, whose backup has no WAL; what matters here is stderr.
            Assert.Equal((args[0] == "verify" ? 1 : 0, ""), (code, error));
            Assert.DoesNotContain('\r', output);
            if (args[0] == "check")
                Assert.Equal(Summary, output);
        }
    }

    [Fact]
    public async Task On_a_terminal_check_draws_a_bar_on_stderr_and_erases_it_and_stdout_stays_clean()
    {
        await BuildRepositoryAsync();
        string outFile = Path.Combine(_root, "stdout");

        string terminal = OnTerminal(["check", "--read-data", "--repo", RepoDir], outFile, "xterm");

        Assert.Equal(Summary, File.ReadAllText(outFile));
        Assert.True(BarOnTerminal().IsMatch(terminal), "on the terminal: " + terminal.Replace("\r", "\\r", StringComparison.Ordinal));
        // TERM=dumb cannot redraw a line: no bar.
        string dumb = OnTerminal(["check", "--read-data", "--repo", RepoDir], outFile, "dumb");
        Assert.Equal("", dumb);
        Assert.Equal(Summary, File.ReadAllText(outFile));
    }

    /// <summary>The first report (0%), the last (100%, drawn however soon it came), then the line erased.</summary>
    [GeneratedRegex(@"^\rcheck \[-{16}\]   0%  0 B of (\d+\.\d [KM]iB)  0/(\d) packs(\r.*)?\rcheck \[#{16}\] 100%  \1 of \1 .*\2/\2 packs *\r +\r$", RegexOptions.Singleline)]
    private static partial Regex BarOnTerminal();

    private static (int Code, string Out, string Error) Run(string[] args)
    {
        var start = PgarkBinary.StartInfo(args);
        start.Environment["HOME"] = "/nonexistent-pgark-home";
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }

    /// <summary>Runs pgark with stderr on a pty and stdout into <paramref name="outFile"/>; returns what reached the terminal.</summary>
    private static string OnTerminal(string[] args, string outFile, string term)
    {
        static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        // stdin from /dev/null: on a terminal stdin the runtime would switch the keypad mode, writing escapes to it.
        string command = string.Join(' ', PgarkBinary.CommandPrefix.Concat(args).Select(Quote)) + " > " + Quote(outFile) + " < /dev/null";
        var start = new ProcessStartInfo("script", ["--quiet", "--return", "--command", command, "/dev/null"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        start.Environment["TERM"] = term;
        start.Environment["HOME"] = "/nonexistent-pgark-home";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.Equal((0, ""), (process.ExitCode, error.GetAwaiter().GetResult()));
        return output.GetAwaiter().GetResult();
    }

    /// <summary>One snapshot of one 1 MiB file in three chunks: one pack for check --read-data to read.</summary>
    private async Task BuildRepositoryAsync()
    {
        Assert.Equal(0, CliRunner.Run(["init", "--repo", RepoDir]).ExitCode);
        var repository = await Repo.OpenAsync(new LocalStore(RepoDir));
        var content = new byte[1 << 20];
        new Random(7).NextBytes(content);
        await using var session = await repository.BeginBackupAsync();
        var chunks = new List<ChunkRef>();
        for (var at = 0; at < content.Length; at += 512 * 1024)
            chunks.Add(await session.AddChunkAsync(content.AsMemory(at, 512 * 1024)));
        await session.AddFileAsync(FileEntry.Regular("base/1/a", content.Length, DateTimeOffset.UnixEpoch), chunks);
        var start = new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);
        await session.CommitAsync(new SnapshotMetadata(SnapshotKind.Physical, 7301234567890123456UL, 150008, 1, 0x3000028, 0x3000138,
            start, start.AddMinutes(1), "progress", "db1"));
    }
}
