using Pgark.Drill;
using static Pgark.Cli.Commands.DemoFormat;

namespace Pgark.Cli.Commands;

/// <summary>The recovery point measured at the mistake: WAL the archive did not hold yet, and how long until it did.</summary>
internal sealed record DemoRpo(long Bytes, TimeSpan Lag);

/// <summary>The demo's closing table: the RPO and RTO it measured, the two figures a backup is judged by.</summary>
internal static class DemoReport
{
    private const string Indent = "        ";

    public static void WriteTable(TextWriter output, DemoRpo rpo, DemoRestore restore, DrillResult drill)
    {
        output.WriteLine($"{Indent}RPO  at the mistake: {Size(rpo.Bytes)} of WAL not yet archived, archived {Seconds(rpo.Lag)} later "
            + $"(streaming through slot {DemoStream.SlotName})");
        DrillTimings t = drill.Timings;
        output.WriteLine($"{Indent}RTO  point-in-time restore: {Seconds(restore.Restore + restore.Replay)} (restore {Seconds(restore.Restore)}, "
            + $"replay {Seconds(restore.Replay)}); drill: {Seconds(t.Rto)} (restore {Seconds(t.Restore)}, replay {Seconds(t.WalReplay)}, "
            + $"checks {Seconds(t.Checks)})");
    }
}
