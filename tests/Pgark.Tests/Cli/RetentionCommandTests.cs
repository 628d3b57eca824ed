namespace Pgark.Tests.Cli;

/// <summary>forget, pin, unpin, verify and info run in-process against an empty repository: usage errors and clean output.</summary>
public sealed class RetentionCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pgark-retcli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string RepoDir => Path.Combine(_root, "repo");

    [Fact]
    public void Forget_without_a_policy_is_a_usage_error_that_names_the_rules()
    {
        Assert.Equal(0, CliRunner.Run(["init", "--repo", RepoDir]).ExitCode);
        var result = CliRunner.Run(["forget", "--repo", RepoDir]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("pgark: forget needs a policy: without one it would remove every backup\n"
            + "hint: give at least one of --keep-last, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly or --keep-within\n", result.Error);
    }

    [Fact]
    public void A_malformed_duration_is_a_usage_error()
    {
        Assert.Equal(0, CliRunner.Run(["init", "--repo", RepoDir]).ExitCode);
        var result = CliRunner.Run(["forget", "--repo", RepoDir, "--keep-within", "3w"]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("pgark: --keep-within '3w' is not a duration\n", result.Error);
    }

    [Fact]
    public void Verify_info_and_a_dry_run_forget_of_an_empty_repository_are_clean()
    {
        Assert.Equal(0, CliRunner.Run(["init", "--repo", RepoDir]).ExitCode);
        var verify = CliRunner.Run(["verify", "--repo", RepoDir, "--read-data", "10"]);
        Assert.Equal((0, "PITR windows: none\nread 0 pack(s), 0 chunk(s), 0 WAL object(s); 0 pack(s) verified earlier\nverify: OK\n"), (verify.ExitCode, verify.Out));
        var forget = CliRunner.Run(["forget", "--repo", RepoDir, "--keep-last", "1", "--dry-run"]);
        Assert.Equal((0, "WAL: nothing removed: the WAL archive is empty\ndry run: would remove 0 backup(s) and 0 WAL object(s); nothing was changed\n"),
            (forget.ExitCode, forget.Out));
        var info = CliRunner.Run(["info", "--repo", RepoDir, "--json"]);
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("\"clusters\": []", info.Out);
    }

    [Fact]
    public void A_percentage_without_read_data_and_an_out_of_range_one_are_usage_errors()
    {
        Assert.Equal(0, CliRunner.Run(["init", "--repo", RepoDir]).ExitCode);
        Assert.Equal(2, CliRunner.Run(["verify", "--repo", RepoDir, "10"]).ExitCode);
        var result = CliRunner.Run(["verify", "--repo", RepoDir, "--read-data", "0"]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("pgark: --read-data percentage \"0\" is not a whole number from 1 to 100\n", result.Error);
        Assert.Equal(2, CliRunner.Run(["pin", "--repo", RepoDir, "xyz"]).ExitCode);
    }
}
