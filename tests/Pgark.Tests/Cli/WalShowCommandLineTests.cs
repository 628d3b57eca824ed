using Pgark.Cli.Commands.Wal;

namespace Pgark.Tests.Cli;

/// <summary>wal show's options: times, windows, ranges and the errors that need no repository.</summary>
public sealed class WalShowCommandLineTests
{
    [Theory]
    [InlineData("2026-11-21 17:00:00+00", "2026-11-21T17:00:00.0000000+00:00")]
    [InlineData("2026-11-21 19:00:00.25+02", "2026-11-21T17:00:00.2500000+00:00")]
    [InlineData("2026-11-21 17:00:00.123456 UTC", "2026-11-21T17:00:00.1234560+00:00")]
    [InlineData("2026-11-21T17:00:00Z", "2026-11-21T17:00:00.0000000+00:00")]
    [InlineData("2026-11-21 17:00:00", "2026-11-21T17:00:00.0000000+00:00")] // no offset: UTC
    public void Times_are_read_in_iso_and_postgresql_formats(string text, string expected)
        => Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), WalShowCommand.ParseTime(text));

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("5min", 300_000)]
    [InlineData("1h", 3_600_000)]
    public void Windows_take_a_unit(string text, long milliseconds)
        => Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), WalShowCommand.ParseDuration(text));

    [Theory]
    [InlineData(new[] { "wal", "show", "--repo", "r" }, "pgark: wal show needs either --around TIME or --from LSN\n")]
    [InlineData(new[] { "wal", "show", "--repo", "r", "--around", "2026-11-21 17:00:00", "--from", "0/1" },
        "pgark: wal show needs either --around TIME or --from LSN\n")]
    [InlineData(new[] { "wal", "show", "--repo", "r", "--around", "yesterday" }, "pgark: invalid value \"yesterday\" for --around: not a time\n")]
    [InlineData(new[] { "wal", "show", "--repo", "r", "--around", "2026-11-21 17:00:00", "--window", "5" }, "pgark: invalid value \"5\" for --window\n")]
    [InlineData(new[] { "wal", "show", "--repo", "r", "--around", "2026-11-21 17:00:00", "--to", "0/1" }, "pgark: --to goes with --from, not --around\n")]
    [InlineData(new[] { "wal", "show", "--repo", "r", "--from", "0/3000000", "--to", "0/2000000" },
        "pgark: --to 0/2000000 is not after --from 0/3000000\n")]
    [InlineData(new[] { "wal", "show", "--repo", "r", "--from", "3000000" }, "pgark: invalid value \"3000000\" for --from: not an LSN\n")]
    public void Bad_requests_are_usage_errors_naming_what_is_wrong(string[] args, string message)
    {
        CliRunner.Result result = CliRunner.Run(args);
        Assert.Equal((2, message), (result.ExitCode, result.Error.Split("hint:")[0]));
    }
}
