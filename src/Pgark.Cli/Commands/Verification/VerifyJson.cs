using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Info;
using Pgark.Verification;

namespace Pgark.Cli.Commands.Verification;

/// <summary>verify --json: the same findings as one object (backups, archive problems, windows, counters).</summary>
internal static class VerifyJson
{
    public static void Write(TextWriter output, VerifyReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteBoolean("healthy", report.Healthy);
            json.WriteStartArray("repository_problems");
            foreach (var problem in report.Repository.Problems)
            {
                json.WriteStartObject();
                json.WriteString("severity", problem.Severity.ToString().ToLowerInvariant());
                json.WriteString("file", problem.FileName);
                WriteOptional(json, "object", problem.ObjectId);
                json.WriteString("message", problem.Message);
                WriteOptional(json, "cause", problem.Cause?.ToString());
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("backups");
            foreach (var backup in report.Backups)
            {
                json.WriteStartObject();
                json.WriteString("id", backup.Snapshot.Id.ToString());
                json.WriteString("kind", backup.Snapshot.Record.Metadata.Kind.ToString().ToLowerInvariant());
                json.WriteBoolean("intact", backup.Intact);
                json.WriteNumber("manifest_files", backup.ManifestFiles);
                json.WriteBoolean("manifest_hashed", backup.ManifestHashed);
                json.WriteNumber("wal_segments", backup.WalSegmentsNeeded);
                json.WriteStartArray("problems");
                foreach (var problem in backup.Problems)
                    json.WriteStringValue(problem);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("wal_archive_problems");
            foreach (var problem in report.Archive)
            {
                json.WriteStartObject();
                json.WriteNumber("timeline", problem.Timeline.Value);
                json.WriteString("from_lsn", problem.From.ToString());
                json.WriteString("to_lsn", problem.To.ToString());
                json.WriteString("reason", problem.Reason);
                json.WriteBoolean("error", problem.IsError);
                WriteOptional(json, "cuts_window_from_lsn", problem.Breaks?.From.ToString());
                json.WriteEndObject();
            }
            json.WriteEndArray();
            WriteWindows(json, "pitr_windows", report.Windows);
            json.WriteNumber("packs_read", report.PacksRead);
            json.WriteNumber("packs_verified_earlier", report.PacksSkippedAsVerified);
            json.WriteNumber("packs_left_for_later_runs", report.PacksNotSampled);
            json.WriteNumber("chunks_read", report.Repository.ChunksRead);
            json.WriteNumber("wal_objects_read", report.WalObjectsRead);
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Windows as info --json prints them (spec/info-json.md).</summary>
    private static void WriteWindows(Utf8JsonWriter json, string name, IEnumerable<PitrWindow> windows)
    {
        json.WriteStartArray(name);
        foreach (var window in windows)
            InfoJson.WriteWindow(json, window);
        json.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value) => InfoJson.Optional(json, name, value);
}
