using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Repository.Codecs;
using Pgark.Repository.Config;

namespace Pgark.Tuning;

/// <summary>The --json form of a <see cref="TuneReport"/>; the shape is specified in spec/tune.md §6.</summary>
public static class TuneJson
{
    public static string Write(TuneReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            WriteSample(json, report);
            json.WriteString("goal", report.Goal.ToString().ToLowerInvariant());
            WriteNullable(json, "window_seconds", report.Window?.TotalSeconds);
            json.WriteNumber("workers", report.Workers);
            json.WriteNumber("elapsed_seconds", Math.Round(report.Elapsed.TotalSeconds, 3));
            json.WriteString("zstd_version", ZstdVersion());
            json.WritePropertyName("current");
            WriteSettings(json, report.Current);
            json.WriteStartArray("candidates");
            for (var i = 0; i < report.Candidates.Count; i++)
                WriteCandidate(json, report, i);
            json.WriteEndArray();
            json.WriteStartObject("recommendation");
            json.WriteNumber("index", report.Recommendation.Index);
            json.WriteString("reason", report.Recommendation.Reason);
            json.WritePropertyName("settings");
            WriteSettings(json, report.Recommended.Settings);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string ZstdVersion()
    {
        var v = Zstd.VersionNumber;
        return string.Create(CultureInfo.InvariantCulture, $"{v / 10000}.{v / 100 % 100}.{v % 100}");
    }

    private static void WriteSample(Utf8JsonWriter json, TuneReport report)
    {
        var s = report.Sample;
        json.WriteString("source", s.Source);
        json.WriteString("system_identifier", s.SystemIdentifier.ToString(CultureInfo.InvariantCulture));
        json.WriteNumber("cluster_bytes", s.ClusterBytes);
        json.WriteNumber("cluster_relation_bytes", s.ClusterRelationBytes);
        json.WriteNumber("cluster_other_bytes", s.ClusterOtherBytes);
        json.WriteNumber("sampled_bytes", s.SampledBytes);
        json.WriteNumber("sample_windows", s.Windows.Count);
        json.WriteNumber("read_bytes", s.ReadBytes);
        json.WriteBoolean("sample_complete", s.Complete);
        if (s.ParentSnapshotId is { } parent)
            json.WriteString("earlier_backup", parent.ToString());
        else
            json.WriteNull("earlier_backup");
    }

    private static void WriteCandidate(Utf8JsonWriter json, TuneReport report, int index)
    {
        var c = report.Candidates[index];
        json.WriteStartObject();
        json.WritePropertyName("settings");
        WriteSettings(json, c.Settings);
        json.WriteNumber("sampled_bytes", c.Ingest.Bytes);
        json.WriteNumber("ingest_bytes_per_second", Math.Round(c.IngestBytesPerSecond));
        json.WriteNumber("restore_bytes_per_second", Math.Round(c.RestoreBytesPerSecond));
        json.WriteNumber("stored_bytes", c.Ingest.StoredBytes);
        json.WriteNumber("chunks", c.Ingest.Chunks);
        json.WriteNumber("compression_ratio", Math.Round(c.CompressionRatio, 4));
        json.WriteNumber("dedup_ratio", Math.Round(c.DedupRatio, 4));
        if (c.Repeat is { } r)
        {
            json.WriteStartObject("repeat");
            json.WriteNumber("sampled_bytes", r.Bytes);
            json.WriteNumber("stored_bytes", r.StoredRelationBytes + r.StoredOtherBytes);
            json.WriteNumber("changed_pages", r.ChangedPages);
            json.WriteNumber("pages", r.Pages);
            json.WriteNumber("bytes_per_second", Math.Round(c.RepeatBytesPerSecond ?? 0));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("repeat");
        }
        json.WriteStartObject("projected");
        json.WriteNumber("full_bytes", c.Projection.FullBytes);
        json.WriteNumber("full_seconds", Math.Round(c.Projection.FullSeconds, 1));
        WriteNullable(json, "repeat_bytes", c.Projection.RepeatBytes);
        WriteNullable(json, "repeat_seconds", c.Projection.RepeatSeconds is { } rs ? Math.Round(rs, 1) : null);
        json.WriteNumber("storage_bytes", Recommender.StorageOf(c.Score));
        json.WriteNumber("index_entries", c.Projection.IndexEntries);
        json.WriteEndObject();
        json.WriteBoolean("pareto", report.Recommendation.ParetoFront[index]);
        json.WriteBoolean("recommended", report.Recommendation.Index == index);
        json.WriteEndObject();
    }

    private static void WriteSettings(Utf8JsonWriter json, StorageSettings s)
    {
        json.WriteStartObject();
        json.WriteString("compression", s.CompressionLevel is { } l ? "zstd:" + l.ToString(CultureInfo.InvariantCulture) : "none");
        WriteNullable(json, "compression_level", s.CompressionLevel);
        json.WriteNumber("pack_size", s.PackTargetSize);
        json.WriteNumber("extent_size", s.ExtentSize);
        json.WriteNumber("chunk_min_size", s.Chunking.MinSize);
        json.WriteNumber("chunk_average_size", s.Chunking.AverageSize);
        json.WriteNumber("chunk_max_size", s.Chunking.MaxSize);
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
            json.WriteNumber(name, v);
        else
            json.WriteNull(name);
    }
}
