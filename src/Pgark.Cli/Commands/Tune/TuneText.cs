using System.Globalization;
using Pgark.Tuning;

namespace Pgark.Cli.Commands.Tune;

/// <summary>tune's text output: the sample, one row per candidate, the recommendation.</summary>
internal static class TuneText
{
    public static void Write(TextWriter output, TuneReport report)
    {
        var s = report.Sample;
        output.WriteLine(Invariant($"sample:       {Size(s.SampledBytes)} in {s.Windows.Count} windows of {Size(s.ClusterBytes)} ({s.Source}")
            + (s.Complete ? ")" : ", reading stopped early)"));
        output.WriteLine("repeat:       " + (s.ParentSnapshotId is { } parent
            ? $"priced against earlier backup {parent.ToShortString()}"
            : "not priced (no earlier backup of this cluster in the repository)"));
        output.WriteLine(Invariant($"trials:       {report.Candidates.Count} candidates on {report.Workers} workers in {report.Elapsed.TotalSeconds:0.0} s, zstd {TuneJson.ZstdVersion()}"));
        output.WriteLine();
        output.WriteLine("  level extent   pack  ingest  restore  compr  dedup   full backup        repeat backup      pareto");
        output.WriteLine("                       MiB/s   MiB/s                   size      time     size      time");
        for (var i = 0; i < report.Candidates.Count; i++)
        {
            var c = report.Candidates[i];
            var mark = i == report.Recommendation.Index ? "*" : " ";
            var repeatSize = c.Projection.RepeatBytes is { } rb ? Size(rb) : "-";
            var repeatTime = c.Projection.RepeatSeconds is { } rs ? Seconds(rs) : "-";
            output.WriteLine(Invariant(
                $"{mark}{Level(c),6} {c.Settings.ExtentSize >> 10,5}K {c.Settings.PackTargetSize >> 20,5}M {c.IngestBytesPerSecond / 1048576,7:0} {c.RestoreBytesPerSecond / 1048576,8:0} {c.CompressionRatio,6:0.00} {c.DedupRatio,6:0.00} {Size(c.Projection.FullBytes),10} {Seconds(c.Projection.FullSeconds),8} {repeatSize,10} {repeatTime,8}  {(report.Recommendation.ParetoFront[i] ? "yes" : "")}"));
        }
        output.WriteLine();
        output.WriteLine($"recommended:  {report.Recommended.Settings}");
        output.WriteLine($"because:      {report.Recommendation.Reason}");
    }

    private static string Level(CandidateResult c) => c.Settings.CompressionLevel?.ToString(CultureInfo.InvariantCulture) ?? "raw";

    private static string Size(long bytes) => bytes switch
    {
        >= 10L << 30 => Invariant($"{bytes / 1073741824.0:0.0} GiB"),
        >= 10L << 20 => Invariant($"{bytes / 1048576.0:0} MiB"),
        _ => Invariant($"{bytes / 1048576.0:0.0} MiB"),
    };

    private static string Seconds(double seconds) => seconds >= 3600 ? Invariant($"{seconds / 3600:0.0} h")
        : seconds >= 120 ? Invariant($"{seconds / 60:0} min") : Invariant($"{seconds:0.0} s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
