using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Recovery;

namespace Pgark.Cli.Commands.Recovery;

/// <summary>A plan (or a refusal) as text for people and as JSON for tools (spec/recovery.md §4).</summary>
internal static class PlanReport
{
    public static void WriteText(TextWriter output, RecoveryPlan plan, IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        BackupCandidate backup = plan.Backup;
        output.WriteLine($"target:         {plan.Target}");
        output.WriteLine($"backup:         {backup.ShortId} on timeline {backup.Timeline} (consistent from {backup.EndLsn}, finished {Time(backup.EndTime)})");
        output.WriteLine($"timeline path:  {plan.Path}");
        if (plan.Stop is { } stop && plan.Target.Kind != RecoveryTargetKind.Latest)
            output.WriteLine($"stops at:       {stop.Lsn}, {(stop.Inclusive ? "after" : "before")} the record there (recovery_target_inclusive = {(stop.Inclusive ? "on" : "off")})");
        if (plan.Stop?.LastIncluded is { } last)
            output.WriteLine($"last in:        {Mark(last)}");
        if (plan.Stop?.FirstExcluded is { } first)
            output.WriteLine($"first out:      {Mark(first)}");
        WalSpan wal = plan.Wal;
        string range = wal.Segments.Count == 0 ? "" : $" ({wal.Segments[0].FileName(plan.SegmentSize)} .. {wal.Segments[^1].FileName(plan.SegmentSize)})";
        output.WriteLine($"WAL to replay:  {wal.From} .. {plan.ReplayEnd}, {Mib(wal.Bytes)} in {wal.Segments.Count} segment(s){range}");
        output.WriteLine($"estimated:      {plan.EstimatedReplay.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (replay at {ReplayRate.BytesPerSecond >> 20} MiB/s)");
        output.WriteLine("settings:");
        foreach ((string name, string value) in settings)
            output.WriteLine($"  {name} = {RecoverySettings.QuoteValue(value)}");
    }

    public static void WriteJson(TextWriter output, RecoveryPlan plan, IReadOnlyList<KeyValuePair<string, string>> settings)
        => Write(output, json =>
        {
            WriteTarget(json, plan.Target);
            json.WriteStartObject("backup");
            json.WriteString("id", plan.Backup.Id);
            json.WriteNumber("timeline", plan.Backup.Timeline.Value);
            json.WriteString("start_lsn", plan.Backup.StartLsn.ToString());
            json.WriteString("end_lsn", plan.Backup.EndLsn.ToString());
            json.WriteString("end_time", plan.Backup.EndTime.UtcDateTime);
            json.WriteEndObject();
            WriteTimeline(json, plan);
            WriteStop(json, plan);
            json.WriteString("replay_end", plan.ReplayEnd.ToString());
            WriteWal(json, plan);
            json.WriteNumber("estimated_replay_seconds", Math.Round(plan.EstimatedReplay.TotalSeconds, 3));
            json.WriteNumber("segments_decoded", plan.SegmentsRead);
            json.WriteStartObject("settings");
            foreach ((string name, string value) in settings)
                json.WriteString(name, value);
            json.WriteEndObject();
        });

    public static void WriteRefusalJson(TextWriter output, RecoveryPlanException refusal)
        => Write(output, json =>
        {
            json.WriteStartObject("refused");
            json.WriteString("reason", SnakeCase(refusal.Refusal.ToString()));
            json.WriteString("message", refusal.Message);
            json.WriteString("hint", refusal.Hint);
            json.WriteEndObject();
        });

    private static void WriteTarget(Utf8JsonWriter json, RecoveryTarget target)
    {
        json.WriteStartObject("target");
        json.WriteString("kind", SnakeCase(target.Kind.ToString()));
        if (target.Time is { } time)
            json.WriteString("time", time.UtcDateTime);
        if (target.Position is { } lsn)
            json.WriteString("lsn", lsn.ToString());
        if (target.Xid is { } xid)
            json.WriteNumber("xid", xid);
        if (target.Name is { } name)
            json.WriteString("name", name);
        json.WriteBoolean("inclusive", target.Inclusive);
        json.WriteEndObject();
    }

    private static void WriteTimeline(Utf8JsonWriter json, RecoveryPlan plan)
    {
        json.WriteNumber("target_timeline", plan.TargetTimeline.Value);
        json.WriteStartArray("timeline_path");
        foreach (TimelineStep step in plan.Path.Steps)
        {
            json.WriteStartObject();
            json.WriteNumber("timeline", step.Timeline.Value);
            json.WriteString("begin", step.Begin.ToString());
            if (step.End == TimelinePath.Open)
                json.WriteNull("end");
            else
                json.WriteString("end", step.End.ToString());
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteStop(Utf8JsonWriter json, RecoveryPlan plan)
    {
        json.WriteStartObject("stop");
        if (plan.Stop is { } stop && plan.Target.Kind != RecoveryTargetKind.Latest)
        {
            json.WriteString("lsn", stop.Lsn.ToString());
            json.WriteBoolean("inclusive", stop.Inclusive);
        }
        else
        {
            json.WriteNull("lsn");
            json.WriteNull("inclusive");
        }
        WriteMark(json, "last_included", plan.Stop?.LastIncluded);
        WriteMark(json, "first_excluded", plan.Stop?.FirstExcluded);
        json.WriteEndObject();
    }

    private static void WriteMark(Utf8JsonWriter json, string name, WalMark? mark)
    {
        if (mark is not { } m)
        {
            json.WriteNull(name);
            return;
        }
        json.WriteStartObject(name);
        json.WriteString("kind", m.Kind == WalMarkKind.RestorePoint ? "restore_point" : SnakeCase(m.Kind.ToString()));
        json.WriteString("lsn", m.Lsn.ToString());
        json.WriteString("end_lsn", m.EndLsn.ToString());
        if (m.IsTransaction)
            json.WriteNumber("xid", m.Xid);
        else
            json.WriteString("name", m.Name);
        json.WriteString("time", m.Time.UtcDateTime);
        json.WriteEndObject();
    }

    private static void WriteWal(Utf8JsonWriter json, RecoveryPlan plan)
    {
        WalSpan wal = plan.Wal;
        json.WriteStartObject("wal");
        json.WriteString("from", wal.From.ToString());
        json.WriteString("to", wal.To.ToString());
        json.WriteNumber("bytes", wal.Bytes);
        json.WriteNumber("segments", wal.Segments.Count);
        json.WriteNumber("partial_segments", wal.Segments.Count(s => s.IsPartial));
        if (wal.Segments.Count > 0)
        {
            json.WriteString("first_segment", wal.Segments[0].FileName(plan.SegmentSize));
            json.WriteString("last_segment", wal.Segments[^1].FileName(plan.SegmentSize));
        }
        json.WriteEndObject();
    }

    private static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static string Mark(WalMark mark) => mark.Kind switch
    {
        WalMarkKind.RestorePoint => $"restore point '{mark.Name}' made {Time(mark.Time)} ({mark.Lsn})",
        _ => $"{mark.Kind.ToString().ToLowerInvariant()} of xid {mark.Xid} at {Time(mark.Time)} ({mark.Lsn})",
    };

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static string SnakeCase(string pascal)
        => string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
