using System.Globalization;
using System.Net;
using System.Text;

namespace Pgark.Tuning;

/// <summary>
/// --report: one self-contained HTML page (inline CSS and SVG, no script, no external reference, well-formed XML as well) with the candidates'
/// ingest throughput against projected storage, the Pareto front joined by a line, the recommendation ringed, and the table.
/// </summary>
public static class TuneHtml
{
    private const int Width = 760, Height = 420, Left = 70, Right = 20, Top = 36, Bottom = 50;
    private static readonly string[] s_colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

    public static string Render(TuneReport report)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>pgark tune: ")
            .Append(E(report.Sample.Source)).Append("</title>\n<style>")
            .Append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;font-size:13px}")
            .Append("th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#eee}")
            .Append("tr.rec td{background:#fff3c4;font-weight:bold}td.l{text-align:left}svg text{font-size:11px}")
            .Append("</style></head><body>\n");
        html.Append("<h1>pgark tune</h1>\n<p>").Append(E(Summary(report))).Append("</p>\n");
        html.Append("<p><b>Recommended:</b> ").Append(E(report.Recommended.Settings.ToString())).Append(" &#8212; ")
            .Append(E(report.Recommendation.Reason)).Append("</p>\n");
        AppendChart(html, report);
        AppendTable(html, report);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static string Summary(TuneReport r)
        => Invariant($"{r.Sample.Source}: {Mib(r.Sample.SampledBytes)} sampled in {r.Sample.Windows.Count} windows of {Mib(r.Sample.ClusterBytes)}")
           + (r.Sample.HasParent ? $", repeat backups priced against {r.Sample.ParentSnapshotId!.Value.ToShortString()}" : ", no earlier backup")
           + Invariant($"; goal {r.Goal.ToString().ToLowerInvariant()}; {r.Workers} workers; zstd {TuneJson.ZstdVersion()}.");

    private static void AppendChart(StringBuilder html, TuneReport report)
    {
        var points = report.Candidates.Select((c, i) => (X: (double)Recommender.StorageOf(c.Score), Y: c.IngestBytesPerSecond / 1048576, I: i)).ToList();
        double xMin = points.Min(p => p.X) * 0.98, xMax = points.Max(p => p.X) * 1.02, yMax = points.Max(p => p.Y) * 1.1;
        if (xMax - xMin < 1)
            xMax = xMin + 1;
        double Px(double x) => Left + (x - xMin) / (xMax - xMin) * (Width - Left - Right);
        double Py(double y) => Height - Bottom - y / Math.Max(yMax, 1e-9) * (Height - Top - Bottom);
        var extents = report.Candidates.Select(c => c.Settings.ExtentSize).Distinct().Order().ToList();

        html.Append(Invariant($"<svg width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"ingest throughput against projected storage\">\n"));
        html.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#444\"/>"));
        html.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#444\"/>\n"));
        for (var t = 0; t <= 4; t++)
        {
            double x = xMin + (xMax - xMin) * t / 4, y = yMax * t / 4;
            html.Append(Invariant($"<text x=\"{Px(x):0.0}\" y=\"{Height - Bottom + 15}\" text-anchor=\"middle\">{Mib((long)x)}</text>"));
            html.Append(Invariant($"<text x=\"{Left - 5}\" y=\"{Py(y) + 4:0.0}\" text-anchor=\"end\">{y:0}</text>\n"));
        }
        html.Append(Invariant($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\">projected storage (full")
            + (report.Sample.HasParent ? $" + {Recommender.RepeatsPerFull} repeats" : "") + ")</text>");
        html.Append(Invariant($"<text x=\"15\" y=\"{(Top + Height - Bottom) / 2}\" transform=\"rotate(-90 15 {(Top + Height - Bottom) / 2})\" text-anchor=\"middle\">ingest MiB/s</text>\n"));
        var front = points.Where(p => report.Recommendation.ParetoFront[p.I]).OrderBy(p => p.X).ToList();
        if (front.Count > 1)
            html.Append("<polyline class=\"pareto\" fill=\"none\" stroke=\"#999\" stroke-dasharray=\"4 3\" points=\"")
                .AppendJoin(' ', front.Select(p => Invariant($"{Px(p.X):0.0},{Py(p.Y):0.0}"))).Append("\"/>\n");
        foreach (var p in points)
        {
            var c = report.Candidates[p.I];
            var color = s_colors[extents.IndexOf(c.Settings.ExtentSize) % s_colors.Length];
            html.Append(Invariant($"<circle cx=\"{Px(p.X):0.0}\" cy=\"{Py(p.Y):0.0}\" r=\"{(report.Recommendation.ParetoFront[p.I] ? 5 : 3.5)}\" fill=\"{color}\">"))
                .Append("<title>").Append(E(c.Settings.ToString())).Append("</title></circle>");
            html.Append(Invariant($"<text x=\"{Px(p.X) + 6:0.0}\" y=\"{Py(p.Y) - 4:0.0}\">{(c.Settings.CompressionLevel?.ToString(CultureInfo.InvariantCulture) ?? "raw")}</text>\n"));
        }
        var rec = points[report.Recommendation.Index];
        html.Append(Invariant($"<circle class=\"recommended\" cx=\"{Px(rec.X):0.0}\" cy=\"{Py(rec.Y):0.0}\" r=\"10\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>\n"));
        for (var e = 0; e < extents.Count; e++)
            html.Append(Invariant($"<circle cx=\"{Left + 10 + 130 * e}\" cy=\"12\" r=\"4\" fill=\"{s_colors[e % s_colors.Length]}\"/><text x=\"{Left + 20 + 130 * e}\" y=\"16\">extent {extents[e] >> 10} KiB</text>\n"));
        html.Append("</svg>\n");
    }

    private static void AppendTable(StringBuilder html, TuneReport report)
    {
        html.Append("<table>\n<tr><th>settings</th><th>ingest MiB/s</th><th>restore MiB/s</th><th>stored (sample)</th><th>compression</th>")
            .Append("<th>dedup</th><th>full backup</th><th>full time</th><th>repeat backup</th><th>repeat time</th><th>Pareto</th></tr>\n");
        for (var i = 0; i < report.Candidates.Count; i++)
        {
            var c = report.Candidates[i];
            html.Append(i == report.Recommendation.Index ? "<tr class=\"rec\">" : "<tr>")
                .Append("<td class=\"l\">").Append(E(c.Settings.ToString())).Append("</td>")
                .Append(Invariant($"<td>{c.IngestBytesPerSecond / 1048576:0}</td><td>{c.RestoreBytesPerSecond / 1048576:0}</td>"))
                .Append(Invariant($"<td>{Mib(c.Ingest.StoredBytes)}</td><td>{c.CompressionRatio:0.00}</td><td>{c.DedupRatio:0.00}</td>"))
                .Append(Invariant($"<td>{Mib(c.Projection.FullBytes)}</td><td>{c.Projection.FullSeconds:0.0} s</td>"))
                .Append("<td>").Append(c.Projection.RepeatBytes is { } rb ? Mib(rb) : "&#8211;").Append("</td>")
                .Append("<td>").Append(c.Projection.RepeatSeconds is { } rs ? Invariant($"{rs:0.0} s") : "&#8211;").Append("</td>")
                .Append("<td>").Append(report.Recommendation.ParetoFront[i] ? "&#9679;" : "").Append("</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    internal static string Mib(long bytes) => bytes >= 10L << 30
        ? Invariant($"{bytes / 1073741824.0:0.0} GiB")
        : Invariant($"{bytes / 1048576.0:0.0} MiB");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
