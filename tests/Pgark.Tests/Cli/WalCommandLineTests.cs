using Pgark.Cli.Commands.Wal;

namespace Pgark.Tests.Cli;

/// <summary>Two-word commands (wal stream|push|get), their options and the errors that need no server.</summary>
public sealed class WalCommandLineTests
{
    [Theory]
    [InlineData("wal stream", "usage: pgark wal stream [--repo DIR] [--db CONNINFO]")]
    [InlineData("wal push", "usage: pgark wal push [--repo DIR] [--passphrase-file FILE] [--system-id ID] PATH")]
    [InlineData("wal get", "usage: pgark wal get [--repo DIR] [--passphrase-file FILE] [--system-id ID] NAME DEST")]
    [InlineData("status", "usage: pgark status [--repo DIR] [--db CONNINFO]")]
    public void Help_names_the_two_word_commands(string command, string usage)
    {
        var viaHelp = CliRunner.Run(["help", .. command.Split(' ')]);
        var viaFlag = CliRunner.Run([.. command.Split(' '), "--help"]);
        Assert.Equal(0, viaHelp.ExitCode);
        Assert.StartsWith(usage, viaHelp.Out);
        Assert.Equal(viaHelp.Out, viaFlag.Out);
    }

    [Fact]
    public void Global_flags_may_precede_the_command_words_but_options_may_not_split_them()
    {
        var verbose = CliRunner.Run(["-v", "wal", "get", "--repo", "/nonexistent-pgark-repo", "x", "y"]);
        Assert.Equal((126, "pgark: no pgark repository at '/nonexistent-pgark-repo': the directory does not exist\n"),
            (verbose.ExitCode, verbose.Error.Split("hint:")[0]));
        var split = CliRunner.Run(["wal", "--repo", "r", "get", "a", "b"]);
        Assert.Equal(2, split.ExitCode);
        Assert.StartsWith("pgark: unknown command \"wal\"", split.Error);
    }

    [Fact]
    public void Options_of_other_commands_are_refused()
    {
        var result = CliRunner.Run(["wal", "push", "--slot", "s", "--repo", "r", "f"]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("pgark: unknown option \"--slot\" for pgark wal push", result.Error);
    }

    [Fact]
    public void Max_rpo_needs_a_db_and_a_unit()
    {
        string repo = Path.Combine(Path.GetTempPath(), $"pgark-rpo-{Guid.NewGuid():N}");
        Directory.CreateDirectory(repo);
        try
        {
            File.WriteAllBytes(Path.Combine(repo, "config"), []);
            var noUnit = CliRunner.Run(["status", "--repo", repo, "--max-rpo", "100"]);
            Assert.Equal((2, "pgark: invalid value \"100\" for --max-rpo\n"), (noUnit.ExitCode, noUnit.Error.Split("hint:")[0]));
        }
        finally
        {
            Directory.Delete(repo, recursive: true);
        }
        Assert.Equal(new RpoLimit(16L << 20, TimeSpan.FromSeconds(30)), RpoLimit.Parse("16MB,30s"));
        Assert.Equal(new RpoLimit(null, TimeSpan.FromMinutes(5)), RpoLimit.Parse("5min"));
        Assert.Equal(new RpoLimit(1L << 30, null), RpoLimit.Parse("1GB"));
    }
}
