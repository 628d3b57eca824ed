using Pgark.Cli;
using Pgark.Cli.Commands;

namespace Pgark.Tests.Cli;

public class HelpTests
{
    [Theory]
    [InlineData("help")]
    [InlineData("--help")]
    [InlineData("-h")]
    public void OverviewListsCommandsGlobalOptionsAndExitCodes(string arg)
    {
        CliRunner.Result result = CliRunner.Run([arg]);
        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        Assert.StartsWith("usage: pgark [--verbose] COMMAND [options]\n", result.Out);
        foreach (CommandSpec command in CommandTable.All)
            Assert.Contains($"\n  {command.Name,-12}{command.Summary}\n", result.Out);
        Assert.Contains("\n  -v, --verbose\n", result.Out);
        Assert.Contains("\n    4  authentication or authorization failed\n", result.Out);
        Assert.Contains("\n   70  internal error: a bug in pgark\n", result.Out);
    }

    [Theory]
    [InlineData("help ping")]
    [InlineData("ping --help")]
    [InlineData("ping -h --db whatever")]
    public void CommandHelpShowsUsageAndEveryOptionOfTheCommand(string commandLine)
    {
        CliRunner.Result result = CliRunner.Run(commandLine.Split(' '));
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("usage: pgark ping [--db CONNINFO] [--connect-timeout SECONDS] [--json]\n", result.Out);
        Assert.Contains("\n  --db CONNINFO\n", result.Out);
        Assert.Contains("Default: libpq defaults. Environment: PGARK_DB.", result.Out);
        Assert.Contains("Range: 0..3600.", result.Out);
        Assert.Contains("\n  --json\n", result.Out);
        Assert.DoesNotContain("--markdown", result.Out);
    }

    [Fact]
    public void HelpForUnknownCommandIsAUsageError()
    {
        CliRunner.Result result = CliRunner.Run(["help", "pingg"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("pgark: unknown command \"pingg\"\nhint: run 'pgark help' to list the commands\n", result.Error);
    }

    [Fact]
    public void NoCommandIsAUsageError()
    {
        CliRunner.Result result = CliRunner.Run([]);
        Assert.Equal((2, ""), (result.ExitCode, result.Out));
        Assert.Equal("pgark: no command given\nhint: run 'pgark help' to list the commands\n", result.Error);
    }

    [Fact]
    public void VersionPrintsTheInformationalVersion()
    {
        CliRunner.Result result = CliRunner.Run(["--version"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^pgark 0\.1\.0(\+[0-9a-f]+)?\n$", result.Out);
    }

    [Fact]
    public void EveryOptionBelongsToAKnownCommandOrIsGlobal()
    {
        foreach (CliOption option in Options.All)
        {
            foreach (string command in option.Commands)
                Assert.NotNull(CommandTable.Find(command));
            Assert.Equal(option.Kind == OptionKind.Flag, option.ValueName is null);
            if (option.Kind == OptionKind.Integer)
                Assert.True(option.Min <= option.Max, option.Name);
        }
        Assert.Equal(Options.All.Length, Options.All.Select(o => o.Name).Distinct().Count());
    }
}
