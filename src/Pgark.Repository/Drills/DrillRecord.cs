using System.Globalization;
using System.Text.Json;

namespace Pgark.Repository.Drills;

/// <summary>One table's comparison in a drill: rows recorded at backup time against rows found after the restore.</summary>
public sealed record DrillTableResult(string Name, long? ExpectedRows, long? RestoredRows, bool Match);

/// <summary>
/// The result of one restore drill (spec §18, <c>drills/&lt;file id&gt;</c>): which snapshot was restored to which target, whether
/// every check passed, and the measured time split into restore, WAL replay and checks, whose sum is the recovery time the
/// operator would get (the RTO). Written by <c>pgark drill</c>, read by <c>pgark info</c>. The body is UTF-8 JSON so
/// schedulers can read it with <c>pgark cat</c>-like tools; readers MUST ignore members they do not know.
/// </summary>
public sealed record DrillRecord(
    string SnapshotId,
    string Kind,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    bool Passed,
    double RestoreSeconds,
    double ReplaySeconds,
    double CheckSeconds,
    string? RecoveryTarget = null,
    string? ReachedLsn = null,
    string Amcheck = "skipped",
    string? Failure = null,
    string Hostname = "",
    IReadOnlyList<DrillTableResult>? Tables = null)
{
    public const string Directory = "drills/";
    public const int FormatVersion = 1;

    /// <summary>Restore + replay + checks: the recovery time objective this drill measured.</summary>
    public double RtoSeconds => RestoreSeconds + ReplaySeconds + CheckSeconds;

    public byte[] EncodeBody()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("format", FormatVersion);
            json.WriteString("snapshot_id", SnapshotId);
            json.WriteString("kind", Kind);
            json.WriteString("started_at", Iso(StartedAt));
            json.WriteString("finished_at", Iso(FinishedAt));
            json.WriteBoolean("passed", Passed);
            json.WriteNumber("restore_seconds", Math.Round(RestoreSeconds, 3));
            json.WriteNumber("replay_seconds", Math.Round(ReplaySeconds, 3));
            json.WriteNumber("check_seconds", Math.Round(CheckSeconds, 3));
            json.WriteNumber("rto_seconds", Math.Round(RtoSeconds, 3));
            WriteOptional(json, "recovery_target", RecoveryTarget);
            WriteOptional(json, "reached_lsn", ReachedLsn);
            json.WriteString("amcheck", Amcheck);
            WriteOptional(json, "failure", Failure);
            json.WriteString("hostname", Hostname);
            json.WriteStartArray("tables");
            foreach (var table in Tables ?? [])
            {
                json.WriteStartObject();
                json.WriteString("name", table.Name);
                WriteOptional(json, "expected_rows", table.ExpectedRows);
                WriteOptional(json, "restored_rows", table.RestoredRows);
                json.WriteBoolean("match", table.Match);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static DrillRecord DecodeBody(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var format = root.GetProperty("format").GetInt32();
            if (format != FormatVersion)
                throw new InvalidDataException($"drill record format {format} is not {FormatVersion}");
            var tables = root.TryGetProperty("tables", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Select(e => new DrillTableResult(e.GetProperty("name").GetString()!, OptionalLong(e, "expected_rows"),
                    OptionalLong(e, "restored_rows"), e.GetProperty("match").GetBoolean())).ToList()
                : [];
            return new DrillRecord(root.GetProperty("snapshot_id").GetString()!, root.GetProperty("kind").GetString()!,
                ParseTime(root.GetProperty("started_at")), ParseTime(root.GetProperty("finished_at")), root.GetProperty("passed").GetBoolean(),
                root.GetProperty("restore_seconds").GetDouble(), root.GetProperty("replay_seconds").GetDouble(), root.GetProperty("check_seconds").GetDouble(),
                OptionalString(root, "recovery_target"), OptionalString(root, "reached_lsn"), OptionalString(root, "amcheck") ?? "skipped",
                OptionalString(root, "failure"), OptionalString(root, "hostname") ?? "", tables);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"drill record is not valid: {e.Message}", e);
        }
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(JsonElement element)
        => DateTimeOffset.Parse(element.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static string? OptionalString(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? OptionalLong(JsonElement e, string name)
        => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, long? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteNumber(name, value.Value);
    }
}
