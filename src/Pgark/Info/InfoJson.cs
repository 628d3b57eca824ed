using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Repository.Drills;
using Pgark.Verification;

namespace Pgark.Info;

/// <summary>
/// <c>pgark info --json</c>, as spec/info-json.md fixes it. Member names never change meaning; new members may be added
/// (readers ignore unknown ones). Nulls are written, never omitted, so every documented member is always present.
/// </summary>
public static class InfoJson
{
    public const int FormatVersion = 1;

    public static string Write(RepositoryInfo info)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(json, info);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Write(Utf8JsonWriter json, RepositoryInfo info)
    {
        json.WriteStartObject();
        json.WriteNumber("format", FormatVersion);
        json.WriteString("repository_id", info.RepositoryId);
        json.WriteBoolean("encrypted", info.Encrypted);
        json.WriteString("generated_at", Iso(info.GeneratedAt));
        json.WriteStartArray("clusters");
        foreach (var cluster in info.Clusters)
            WriteCluster(json, cluster);
        json.WriteEndArray();
        WriteWal(json, info);
        json.WriteStartArray("pitr_windows");
        foreach (var window in info.PitrWindows)
            WriteWindow(json, window);
        json.WriteEndArray();
        if (info.LastDrill is { } drill)
            WriteDrill(json, drill);
        else
            json.WriteNull("last_drill");
        WriteRecoveryPoint(json, info.RecoveryPoint);
        json.WriteEndObject();
    }

    private static void WriteCluster(Utf8JsonWriter json, ClusterInfo cluster)
    {
        json.WriteStartObject();
        json.WriteString("system_identifier", cluster.SystemIdentifier.ToString(CultureInfo.InvariantCulture));
        json.WriteStartArray("backups");
        foreach (var b in cluster.Backups)
        {
            json.WriteStartObject();
            json.WriteString("id", b.Id);
            json.WriteString("kind", b.Kind);
            json.WriteString("label", b.Label);
            json.WriteString("start_time", Iso(b.StartTime));
            json.WriteString("end_time", Iso(b.EndTime));
            json.WriteNumber("timeline", b.Timeline.Value);
            json.WriteString("start_lsn", b.StartLsn.ToString());
            json.WriteString("end_lsn", b.EndLsn.ToString());
            json.WriteNumber("pg_version", b.PgVersion);
            json.WriteNumber("logical_bytes", b.LogicalBytes);
            json.WriteNumber("stored_bytes", b.StoredBytes);
            json.WriteBoolean("pinned", b.Pinned);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteWal(Utf8JsonWriter json, RepositoryInfo info)
    {
        json.WriteStartObject("wal_archive");
        json.WriteNumber("segment_size", info.WalSegmentSize);
        Optional(json, "system_identifier", info.WalSystemIdentifier?.ToString(CultureInfo.InvariantCulture));
        json.WriteStartArray("ranges");
        foreach (var range in info.WalRanges)
        {
            json.WriteStartObject();
            json.WriteNumber("timeline", range.Timeline.Value);
            json.WriteString("first_segment", range.Start.WalFileName(range.Timeline, info.WalSegmentSize));
            json.WriteString("last_segment", Wire.Replication.Lsn.FromSegment(range.LastSegment, 0, info.WalSegmentSize).WalFileName(range.Timeline, info.WalSegmentSize));
            json.WriteString("start_lsn", range.Start.ToString());
            json.WriteString("end_lsn", range.End.ToString());
            json.WriteNumber("segments", range.SegmentCount);
            json.WriteBoolean("ends_with_partial", range.EndsWithPartial);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("history_timelines");
        foreach (var timeline in info.HistoryTimelines)
            json.WriteNumberValue(timeline);
        json.WriteEndArray();
        json.WriteStartArray("gaps");
        foreach (var gap in info.WalGaps)
        {
            json.WriteStartObject();
            json.WriteNumber("timeline", gap.Timeline.Value);
            json.WriteString("from_lsn", gap.From.ToString());
            json.WriteString("to_lsn", gap.To.ToString());
            json.WriteString("reason", gap.Reason);
            Optional(json, "cuts_window_from_lsn", gap.Breaks?.From.ToString());
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>One PITR window (spec/info-json.md); verify --json prints its windows the same way.</summary>
    internal static void WriteWindow(Utf8JsonWriter json, PitrWindow window)
    {
        json.WriteStartObject();
        json.WriteNumber("timeline", window.Timeline.Value);
        json.WriteString("from_lsn", window.From.ToString());
        json.WriteString("to_lsn", window.To.ToString());
        json.WriteString("from_time", Iso(window.FromTime));
        Optional(json, "to_time", window.ToTime is { } t ? Iso(t) : null);
        json.WriteStartArray("backups");
        foreach (var backup in window.Backups)
            json.WriteStringValue(backup);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteDrill(Utf8JsonWriter json, DrillRecord drill)
    {
        json.WriteStartObject("last_drill");
        json.WriteString("snapshot_id", drill.SnapshotId);
        json.WriteString("kind", drill.Kind);
        json.WriteString("started_at", Iso(drill.StartedAt));
        json.WriteString("finished_at", Iso(drill.FinishedAt));
        json.WriteBoolean("passed", drill.Passed);
        json.WriteNumber("restore_seconds", Math.Round(drill.RestoreSeconds, 3));
        json.WriteNumber("replay_seconds", Math.Round(drill.ReplaySeconds, 3));
        json.WriteNumber("check_seconds", Math.Round(drill.CheckSeconds, 3));
        json.WriteNumber("rto_seconds", Math.Round(drill.RtoSeconds, 3));
        Optional(json, "recovery_target", drill.RecoveryTarget);
        Optional(json, "failure", drill.Failure);
        json.WriteEndObject();
    }

    private static void WriteRecoveryPoint(Utf8JsonWriter json, RecoveryPointInfo rp)
    {
        json.WriteStartObject("recovery_point");
        json.WriteBoolean("streamer_running", rp.StreamerRunning);
        Optional(json, "streamer_host", rp.StreamerHost);
        if (rp.StreamerPid is { } pid)
            json.WriteNumber("streamer_pid", pid);
        else
            json.WriteNull("streamer_pid");
        Optional(json, "newest_durable_lsn", rp.NewestDurableLsn?.ToString());
        if (rp.NewestTimeline is { } timeline)
            json.WriteNumber("newest_timeline", timeline.Value);
        else
            json.WriteNull("newest_timeline");
        Optional(json, "newest_durable_time", rp.NewestDurableTime is { } t ? Iso(t) : null);
        Optional(json, "server_lsn", rp.ServerLsn?.ToString());
        if (rp.RpoBytes is { } bytes)
            json.WriteNumber("rpo_bytes", bytes);
        else
            json.WriteNull("rpo_bytes");
        if (rp.RpoSeconds is { } seconds)
            json.WriteNumber("rpo_seconds", seconds);
        else
            json.WriteNull("rpo_seconds");
        json.WriteEndObject();
    }

    internal static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    internal static void Optional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }
}
