using System.Text.RegularExpressions;

namespace Pgark.Tests.Cli;

/// <summary>
/// The quick start's first command, end to end on a real scratch cluster: if WAL streaming, either backup, the search
/// for the mistake in the WAL, check, the point-in-time restore, the drill or the counts on the restored server break,
/// this fails.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DemoCommandTests
{
    [Fact]
    public void DemoUndoesAMistakeWithPointInTimeRestoreAndDrillsTheBackup()
    {
        CliRunner.Result result = CliRunner.Run(["demo"], probe: new Pgark.Cli.Commands.Ping.WireServerProbe());

        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        for (int step = 1; step <= 11; step++)
            Assert.Contains($"[{step}/11] ", result.Out);

        // The repeat backup after a 1% change stores a small fraction of the first: page-granular dedup at work.
        Match repeat = Regex.Match(result.Out, @"stored [0-9.]+ MiB \(([0-9]+)% of the first\)");
        Assert.True(repeat.Success, result.Out);
        Assert.InRange(int.Parse(repeat.Groups[1].Value), 0, 25);
        Assert.Matches(new Regex(@"\[4/11\] physical backup [0-9a-f]{8}: .*, exact row counts recorded"), result.Out);

        // The mistake deleted every order; the WAL search names a transaction that deleted exactly that many rows.
        Match mistake = Regex.Match(result.Out, @"\[7/11\] 1000 more orders; \S+ DELETE FROM orders \(no WHERE\) removed ([0-9]+) rows");
        Assert.True(mistake.Success, result.Out);
        long deleted = long.Parse(mistake.Groups[1].Value);
        Assert.Equal(201_000, deleted);
        Match found = Regex.Match(result.Out, @"\[8/11\] wal show found it: xid ([0-9]+) COMMIT at \S+, deleted ([0-9]+) rows");
        Assert.True(found.Success, result.Out);
        Assert.Equal(deleted, long.Parse(found.Groups[2].Value));

        // The restore stopped just before that transaction: every order back, none of the writes that came after.
        Match restored = Regex.Match(result.Out,
            @"\[10/11\] restored to just before xid ([0-9]+) from backup [0-9a-f]{8} .*: ([0-9]+) orders back, ([0-9]+) of the 3 later writes");
        Assert.True(restored.Success, result.Out);
        Assert.Equal(found.Groups[1].Value, restored.Groups[1].Value);
        Assert.Equal(deleted, long.Parse(restored.Groups[2].Value));
        Assert.Equal("0", restored.Groups[3].Value);

        // The drill passed with the row counts the physical backup recorded, and the table reports both figures.
        Assert.Matches(new Regex(@"\[11/11\] drill of [0-9a-f]{8} passed: row counts match the backup's for 1 of 1 table; RTO [0-9.]+ s"), result.Out);
        Assert.Matches(new Regex(@"RPO  at the mistake: [0-9.]+ [KM]iB of WAL not yet archived, archived [0-9.]+ s later"), result.Out);
        Assert.Matches(new Regex(@"RTO  point-in-time restore: [0-9.]+ s \(restore [0-9.]+ s, replay [0-9.]+ s\); drill: [0-9.]+ s"), result.Out);
        Assert.EndsWith("removed the scratch clusters and directories\n", result.Out);
    }
}
