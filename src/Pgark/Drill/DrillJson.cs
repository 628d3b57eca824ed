using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Repository.Format;

namespace Pgark.Drill;

/// <summary>
/// The drill result as JSON (spec/drill.md): what <c>pgark drill --json</c> prints for schedulers. The repository keeps
/// its summary as a drill record (<see cref="DrillRecords"/>). Written by hand, as the other pgark documents, so the shape
/// is exactly the specified one.
/// </summary>
public static class DrillJson
{
    public const string Format = "pgark-drill";
    public const int FormatVersion = 1;

    public static byte[] Encode(DrillResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", FormatVersion);
            json.WriteString("snapshot", result.SnapshotId);
            json.WriteString("kind", result.Kind == SnapshotKind.Physical ? "physical" : "logical");
            json.WriteNumber("server_version_num", result.ServerVersionNumber);
            json.WriteString("started_at", Time(result.StartedAt));
            json.WriteString("finished_at", Time(result.FinishedAt));
            json.WriteBoolean("passed", result.Passed);
            WriteNullable(json, "recovery_target_lsn", result.RecoveryTargetLsn);
            WriteNullable(json, "recovery_target_time", result.RecoveryTargetTime is { } time
                ? time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) : null);
            WriteNullable(json, "reached_lsn", result.ReachedLsn);
            json.WriteBoolean("row_counts_recorded", result.RowCountsRecorded);
            json.WriteStartObject("timings");
            json.WriteNumber("restore_seconds", Seconds(result.Timings.Restore));
            json.WriteNumber("wal_replay_seconds", Seconds(result.Timings.WalReplay));
            json.WriteNumber("checks_seconds", Seconds(result.Timings.Checks));
            json.WriteNumber("rto_seconds", Seconds(result.Timings.Rto));
            json.WriteEndObject();
            json.WriteStartArray("tables");
            foreach (TableCheck table in result.Tables)
                WriteTable(json, table);
            json.WriteEndArray();
            json.WriteStartArray("damaged_files");
            foreach (DamagedRelation damaged in result.Damaged)
            {
                json.WriteStartObject();
                json.WriteString("path", damaged.Path);
                WriteNullable(json, "database", damaged.Database);
                WriteNullable(json, "table", damaged.Table);
                WriteNullable(json, "relation", damaged.Relation);
                json.WriteString("problem", damaged.Problem);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("amcheck");
            json.WriteBoolean("available", result.Amcheck.Available);
            json.WriteNumber("indexes_checked", result.Amcheck.IndexesChecked);
            json.WriteNumber("tables_checked", result.Amcheck.TablesChecked);
            WriteStrings(json, "failures", result.Amcheck.Failures);
            json.WriteEndObject();
            WriteStrings(json, "problems", result.Problems);
            if (result.Kept is { } kept)
            {
                json.WriteStartObject("kept");
                json.WriteString("directory", kept.Directory);
                json.WriteString("data_directory", kept.DataDirectory);
                json.WriteString("conninfo", kept.ConnInfo);
                if (kept.PostmasterProcessId is { } pid) json.WriteNumber("postmaster_pid", pid); else json.WriteNull("postmaster_pid");
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("kept");
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteTable(Utf8JsonWriter json, TableCheck table)
    {
        json.WriteStartObject();
        json.WriteString("database", table.Database);
        json.WriteString("table", table.Table);
        WriteNullable(json, "expected_rows", table.ExpectedRows);
        WriteNullable(json, "restored_rows", table.RestoredRows);
        WriteNullable(json, "expected_checksum", table.ExpectedChecksum);
        WriteNullable(json, "restored_checksum", table.RestoredChecksum);
        json.WriteString("match", MatchName(table.Match));
        json.WriteEndObject();
    }

    /// <summary>"match", "mismatch", "not-recorded", "missing", "damaged".</summary>
    public static string MatchName(TableMatch match) => match switch
    {
        TableMatch.Match => "match",
        TableMatch.Mismatch => "mismatch",
        TableMatch.NotRecorded => "not-recorded",
        TableMatch.Missing => "missing",
        _ => "damaged",
    };

    /// <exception cref="InvalidDataException">Not a version-1 drill document.</exception>
    public static DrillResult Decode(byte[] document)
    {
        try
        {
            using var parsed = JsonDocument.Parse(document);
            JsonElement root = parsed.RootElement;
            if (root.GetProperty("format").GetString() != Format || root.GetProperty("version").GetInt32() != FormatVersion)
                throw new InvalidDataException($"not a version {FormatVersion} {Format} document; a newer pgark wrote it");
            JsonElement timings = root.GetProperty("timings");
            JsonElement amcheck = root.GetProperty("amcheck");
            JsonElement kept = root.GetProperty("kept");
            return new DrillResult(
                root.GetProperty("snapshot").GetString()!,
                root.GetProperty("kind").GetString() == "physical" ? SnapshotKind.Physical : SnapshotKind.Logical,
                root.GetProperty("server_version_num").GetInt32(),
                root.GetProperty("started_at").GetDateTimeOffset(),
                root.GetProperty("finished_at").GetDateTimeOffset(),
                root.GetProperty("recovery_target_lsn").GetString(),
                root.GetProperty("reached_lsn").GetString(),
                root.GetProperty("row_counts_recorded").GetBoolean(),
                new DrillTimings(TimeSpan.FromSeconds(timings.GetProperty("restore_seconds").GetDouble()),
                    TimeSpan.FromSeconds(timings.GetProperty("wal_replay_seconds").GetDouble()),
                    TimeSpan.FromSeconds(timings.GetProperty("checks_seconds").GetDouble())),
                root.GetProperty("tables").EnumerateArray().Select(ReadTable).ToList(),
                root.GetProperty("damaged_files").EnumerateArray().Select(d => new DamagedRelation(d.GetProperty("path").GetString()!,
                    d.GetProperty("database").GetString(), d.GetProperty("table").GetString(), d.GetProperty("relation").GetString(),
                    d.GetProperty("problem").GetString()!)).ToList(),
                new AmcheckReport(amcheck.GetProperty("available").GetBoolean(), amcheck.GetProperty("indexes_checked").GetInt32(),
                    amcheck.GetProperty("tables_checked").GetInt32(), Strings(amcheck.GetProperty("failures"))),
                Strings(root.GetProperty("problems")),
                kept.ValueKind == JsonValueKind.Null ? null : new KeptServer(kept.GetProperty("directory").GetString()!,
                    kept.GetProperty("data_directory").GetString()!, kept.GetProperty("conninfo").GetString()!,
                    kept.GetProperty("postmaster_pid").ValueKind == JsonValueKind.Null ? null : kept.GetProperty("postmaster_pid").GetInt32()))
            {
                RecoveryTargetTime = root.GetProperty("recovery_target_time").ValueKind == JsonValueKind.Null ? null
                    : root.GetProperty("recovery_target_time").GetDateTimeOffset(),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the drill document is unreadable: {e.Message}", e);
        }
    }

    private static TableCheck ReadTable(JsonElement t) => new(t.GetProperty("database").GetString()!, t.GetProperty("table").GetString()!,
        Long(t.GetProperty("expected_rows")), Long(t.GetProperty("restored_rows")), t.GetProperty("expected_checksum").GetString(),
        t.GetProperty("restored_checksum").GetString(), t.GetProperty("match").GetString() switch
        {
            "match" => TableMatch.Match,
            "mismatch" => TableMatch.Mismatch,
            "not-recorded" => TableMatch.NotRecorded,
            "missing" => TableMatch.Missing,
            "damaged" => TableMatch.Damaged,
            var other => throw new FormatException($"unknown match value '{other}'"),
        });

    private static long? Long(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt64();

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(s => s.GetString()!).ToList();

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name); else json.WriteString(name, value);
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v) json.WriteNumber(name, v); else json.WriteNull(name);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static double Seconds(TimeSpan duration) => Math.Round(duration.TotalSeconds, 3);
}
