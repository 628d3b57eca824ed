using System.Text.RegularExpressions;

namespace Pgark.Tests.Cli;

/// <summary>
/// The quick start's first command, end to end on a real scratch cluster: if any step of backup, check, restore or the
/// comparison of the restored data breaks, this fails.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DemoCommandTests
{
    [Fact]
    public void DemoBacksUpRestoresAndComparesARealCluster()
    {
        CliRunner.Result result = CliRunner.Run(["demo"], probe: new Pgark.Cli.Commands.Ping.WireServerProbe());

        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        for (int step = 1; step <= 8; step++)
            Assert.Contains($"[{step}/8] ", result.Out);
        Assert.Matches(new Regex(@"\[8/8\] started the restored copy: orders matches the source \(200000 rows, md5 [0-9a-f]{32}\)"), result.Out);
        // The repeat backup after a 1% change stores a small fraction of the first: page-granular dedup at work.
        Match repeat = Regex.Match(result.Out, @"stored [0-9.]+ MiB \(([0-9]+)% of the first\)");
        Assert.True(repeat.Success, result.Out);
        Assert.InRange(int.Parse(repeat.Groups[1].Value), 0, 25);
        Assert.EndsWith("removed the scratch clusters and directories\n", result.Out);
    }
}
