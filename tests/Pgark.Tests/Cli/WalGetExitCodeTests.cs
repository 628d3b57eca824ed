using Pgark.Cli.Commands.Wal;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Replication;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Tests.Cli;

/// <summary>
/// restore_command's contract: exit 1 only when the archive answers "no such file"; every failure to answer exits 126,
/// which PostgreSQL treats as fatal (a lower status would end recovery and promote on an unreadable archive).
/// </summary>
public sealed class WalGetExitCodeTests : IDisposable
{
    private const string Segment = "000000010000000000000003";
    private readonly string _root = Directory.CreateTempSubdirectory("pgark-walget-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string RepoDir => Path.Combine(_root, "repo");
    private string Destination => Path.Combine(_root, "RECOVERYXLOG");

    private CliRunner.Result Get(string name, Dictionary<string, string?>? environment = null, params string[] extra)
        => CliRunner.Run(["wal", "get", "--repo", RepoDir, .. extra, name, Destination], environment);

    private async Task<WalStore> InitAsync(string? passphrase = null)
    {
        Repo repository = await Repo.InitAsync(new LocalStore(RepoDir), new RepositoryInitOptions { Passphrase = passphrase });
        return new WalStore(repository, 7_301_234_567_890_123_456);
    }

    [Fact]
    public async Task A_file_the_archive_does_not_hold_is_exit_1_even_before_any_WAL_was_stored()
    {
        await InitAsync();
        CliRunner.Result result = Get(Segment);
        Assert.Equal((1, $"pgark: {Segment} is not in the archive\n"), (result.ExitCode, result.Error.Split("hint:")[0]));
        Assert.Equal(1, Get("00000002.history").ExitCode);
        Assert.False(File.Exists(Destination));
    }

    [Fact]
    public void A_missing_repository_is_exit_126_with_the_reason_and_a_hint_naming_the_consequence()
    {
        CliRunner.Result result = Get(Segment);
        Assert.Equal(126, result.ExitCode);
        Assert.Equal($"pgark: no pgark repository at '{RepoDir}': the directory does not exist\n"
            + "hint: check --repo (or PGARK_REPO); create a repository there with 'pgark init --repo DIR' "
            + "(exit 126: PostgreSQL stops recovery here rather than treating the file as missing)\n", result.Error);
    }

    [Fact]
    public void A_directory_that_is_not_a_repository_is_exit_126()
    {
        Directory.CreateDirectory(RepoDir);
        Assert.Equal(126, Get(Segment).ExitCode);
    }

    [Fact]
    public async Task A_damaged_segment_object_is_exit_126_and_nothing_is_written_to_the_destination()
    {
        WalStore store = await InitAsync();
        byte[] wal = new byte[1 << 20];
        Random.Shared.NextBytes(wal);
        WalSegmentObject stored = await store.PutSegmentAsync(new TimelineId(1), 3, 16 << 20, wal, partial: true);
        string file = Path.Combine(RepoDir, stored.ObjectName);
        byte[] bytes = await File.ReadAllBytesAsync(file);
        bytes[^10] ^= 0x40;
        File.SetAttributes(file, FileAttributes.Normal);
        await File.WriteAllBytesAsync(file, bytes);

        CliRunner.Result result = Get(Segment);
        Assert.Equal(126, result.ExitCode);
        Assert.StartsWith("pgark: ", result.Error);
        Assert.False(File.Exists(Destination));
    }

    [Fact]
    public async Task Wal_get_does_not_read_the_chunk_index()
    {
        // PostgreSQL runs wal get once per segment it recovers, and reading the index takes time in proportion to the
        // repository (0.7 s for 4 M chunks). A damaged index delta shows which commands read it.
        WalStore store = await InitAsync();
        byte[] wal = new byte[16 << 20];
        Random.Shared.NextBytes(wal.AsSpan(0, 1 << 20));
        await store.PutSegmentAsync(new TimelineId(1), 3, 16 << 20, wal, partial: false);
        Directory.CreateDirectory(Path.Combine(RepoDir, "index"));
        await File.WriteAllBytesAsync(Path.Combine(RepoDir, "index", new string('a', 64)), [1, 2, 3]);

        Assert.NotEqual(0, CliRunner.Run(["stats", "--repo", RepoDir]).ExitCode);
        CliRunner.Result result = Get(Segment);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(wal, await File.ReadAllBytesAsync(Destination));
        Assert.Equal(0, CliRunner.Run(["snapshots", "--repo", RepoDir]).ExitCode);
    }

    [Fact]
    public async Task A_wrong_passphrase_is_exit_126()
    {
        await InitAsync(passphrase: "right one");
        Assert.Equal(126, Get(Segment, new() { ["PGARK_PASSPHRASE"] = "wrong one" }).ExitCode);
    }

    [Theory]
    [InlineData("--rpeo")]          // a misspelt option in restore_command: the parser refuses it
    [InlineData("--passphrase-file")] // the option's value is then the file name, so DEST is missing
    public void A_restore_command_the_parser_refuses_is_exit_126(string option)
        => Assert.Equal(126, CliRunner.Run(["wal", "get", option, RepoDir, Segment]).ExitCode);

    [Fact]
    public async Task Swapped_arguments_are_exit_126_not_a_missing_file()
    {
        await InitAsync();
        // restore_command = 'pgark wal get --repo R %p %f' asks for "pg_wal/RECOVERYXLOG": not a WAL file name.
        CliRunner.Result result = CliRunner.Run(["wal", "get", "--repo", RepoDir, "pg_wal/RECOVERYXLOG", Segment]);
        Assert.Equal(126, result.ExitCode);
        Assert.StartsWith("pgark: \"pg_wal/RECOVERYXLOG\" is not a WAL file name\n", result.Error);
    }

    [Fact]
    public async Task An_interrupted_wal_get_is_exit_126()
    {
        await InitAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        CliRunner.Result result = CliRunner.Run(["wal", "get", "--repo", RepoDir, Segment, Destination], cancellationToken: cancelled.Token);
        Assert.Equal(126, result.ExitCode);
    }

    [Fact]
    public void Other_commands_keep_their_tiers()
    {
        Assert.Equal(7, CliRunner.Run(["check", "--repo", RepoDir]).ExitCode);
        Assert.Equal(2, CliRunner.Run(["wal", "push", "--rpeo", RepoDir, "x"]).ExitCode);
    }

    [Theory]
    [InlineData(new[] { "wal", "get", "a", "b" }, true)]
    [InlineData(new[] { "-v", "wal", "get", "--repo", "r", "a", "b" }, true)]
    [InlineData(new[] { "wal", "push", "get" }, false)]
    [InlineData(new[] { "wal", "stream" }, false)]
    [InlineData(new[] { "--", "wal", "get" }, false)]
    public void Wal_get_is_recognised_from_the_raw_command_line(string[] args, bool expected)
        => Assert.Equal(expected, WalGetCommand.IsInvocation(args));
}
