using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Cli.Commands.Wal;

/// <summary>
/// What <c>pgark status</c> prints for one cluster's WAL (repository-format.md §8.2), with the RPO worked out against the
/// server's position when the server is this cluster.
/// </summary>
internal sealed record StatusReport(WalArchiveStatus Archive, IdentifySystemResult? Server, long? RpoBytes, TimeSpan? RpoTime,
    RpoLimit? Limit, bool OtherCluster)
{
    public static StatusReport From(WalArchiveStatus archive, IdentifySystemResult? server, DateTimeOffset now, RpoLimit? limit)
    {
        long? bytes = null;
        TimeSpan? time = null;
        bool otherCluster = false;
        if (server is not null)
        {
            otherCluster = archive.SystemIdentifier is { } stored && stored != server.SystemId;
            bytes = Math.Max(0, server.XLogPosition - archive.NewestDurable);
            // Behind: the archive has not advanced since its newest object was stored. Caught up: nothing is at risk.
            time = bytes == 0 ? TimeSpan.Zero : archive.NewestTime is { } at ? now - at : null;
        }
        return new StatusReport(archive, server, bytes, time, limit, otherCluster);
    }

    public bool RpoExceeded => Limit is not null
        && ((Limit.Bytes is { } maxBytes && RpoBytes > maxBytes) || (Limit.Time is { } maxTime && (RpoTime is null || RpoTime > maxTime)));

    public bool Healthy => Archive.Gaps.Count == 0 && !RpoExceeded && !OtherCluster && Archive.Timelines.Count > 0;

    public void WriteText(TextWriter output)
    {
        if (Archive.Timelines.Count == 0)
        {
            output.WriteLine("WAL archive:     empty");
        }
        output.WriteLine($"system id:       {(Archive.SystemIdentifier?.ToString(CultureInfo.InvariantCulture) ?? "unknown")}");
        if (Archive.SegmentSize > 0)
            output.WriteLine($"segment size:    {Archive.SegmentSize >> 20} MB");
        foreach (WalTimelineSpan span in Archive.Timelines)
        {
            string tail = span.SwitchPoint is { } at ? $", switched at {at}" : span.EndsWithPartial ? ", ends with a partial" : "";
            output.WriteLine($"{$"timeline {span.Timeline}:",-17}{span.FirstSegment} .. {span.LastSegment} ({span.SegmentCount} segments{tail})");
        }
        if (Archive.NewestTimeline is { } newestTimeline)
        {
            string stored = Archive.NewestTime is { } t ? $", stored {t.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}" : "";
            output.WriteLine($"newest durable:  {Archive.NewestDurable} on timeline {newestTimeline}{stored}");
        }
        if (Server is not null)
        {
            output.WriteLine($"server:          {Server.XLogPosition} on timeline {Server.Timeline}{(OtherCluster ? $" (system {Server.SystemId}: ANOTHER CLUSTER)" : "")}");
            string time = RpoTime is { } rpo ? $"{rpo.TotalSeconds:0.0} s" : "unknown";
            output.WriteLine($"RPO:             {RpoBytes} bytes, {time}{(RpoExceeded ? " (EXCEEDS --max-rpo)" : "")}");
        }
        output.WriteLine(Archive.Gaps.Count == 0 ? "gaps:            none" : $"gaps:            {Archive.Gaps.Count}");
        foreach (WalGap gap in Archive.Gaps)
            output.WriteLine($"  timeline {gap.Timeline}: {gap.From} .. {gap.To}: {gap.Reason}");
    }

    /// <summary>This cluster's members (spec/wal-archiving.md §5), without the enclosing object.</summary>
    public void WriteJsonMembers(Utf8JsonWriter json)
    {
        WriteOptionalString(json, "system_identifier", Archive.SystemIdentifier?.ToString(CultureInfo.InvariantCulture));
        json.WriteNumber("segment_size", Archive.SegmentSize);
        json.WriteStartArray("timelines");
        foreach (WalTimelineSpan span in Archive.Timelines)
        {
            json.WriteStartObject();
            json.WriteNumber("timeline", span.Timeline.Value);
            json.WriteString("first_segment", span.FirstSegment);
            json.WriteString("last_segment", span.LastSegment);
            json.WriteNumber("segments", span.SegmentCount);
            json.WriteString("end_lsn", span.End.ToString());
            WriteOptionalString(json, "switch_point", span.SwitchPoint?.ToString());
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteOptionalString(json, "newest_durable_lsn", Archive.NewestTimeline is null ? null : Archive.NewestDurable.ToString());
        WriteOptionalString(json, "newest_durable_time", Archive.NewestTime?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        WriteOptionalString(json, "server_lsn", Server?.XLogPosition.ToString());
        if (RpoBytes is { } bytes)
            json.WriteNumber("rpo_bytes", bytes);
        if (RpoTime is { } time)
            json.WriteNumber("rpo_seconds", Math.Round(time.TotalSeconds, 3));
        json.WriteBoolean("rpo_exceeded", RpoExceeded);
        json.WriteStartArray("gaps");
        foreach (WalGap gap in Archive.Gaps)
        {
            json.WriteStartObject();
            json.WriteNumber("timeline", gap.Timeline.Value);
            json.WriteString("from", gap.From.ToString());
            json.WriteString("to", gap.To.ToString());
            json.WriteString("reason", gap.Reason);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    internal static void WriteOptionalString(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }
}
