using System.Text.Json;

namespace Pgark.Physical.RowCounts;

/// <summary>One table's row count as of <see cref="RowCountDocument.Lsn"/>.</summary>
/// <param name="QualifiedName">The server's own quoting, format('%I.%I', schema, name).</param>
public sealed record TableRowCount(string Schema, string Name, string QualifiedName, long Rows);

/// <summary>
/// The "row_counts" document of a physical snapshot (spec/physical.md): the row count of every permanent table of one
/// database, read through the snapshot a temporary logical slot exported, and that slot's consistent point. Recovery
/// of the backup with <c>recovery_target_lsn = Lsn</c> and <c>recovery_target_inclusive = off</c> reaches exactly the
/// state the counts describe, which is what a restore drill compares against.
/// </summary>
public sealed record RowCountDocument(string Database, string Lsn, DateTimeOffset CountedAt, IReadOnlyList<TableRowCount> Tables)
{
    public const string DocumentName = "row_counts";
    public const string Format = "pgark-row-counts";
    public const int FormatVersion = 1;

    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", FormatVersion);
            json.WriteString("database", Database);
            json.WriteString("lsn", Lsn);
            json.WriteString("countedAt", CountedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteStartArray("tables");
            foreach (TableRowCount table in Tables)
            {
                json.WriteStartObject();
                json.WriteString("schema", table.Schema);
                json.WriteString("name", table.Name);
                json.WriteString("qualifiedName", table.QualifiedName);
                json.WriteNumber("rows", table.Rows);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <exception cref="InvalidDataException">Not a version-1 row_counts document.</exception>
    public static RowCountDocument Decode(byte[] document)
    {
        try
        {
            using var json = JsonDocument.Parse(document);
            JsonElement root = json.RootElement;
            if (root.GetProperty("format").GetString() != Format || root.GetProperty("version").GetInt32() != FormatVersion)
                throw new InvalidDataException($"{DocumentName} is not a version {FormatVersion} {Format} document; a newer pgark wrote it");
            var tables = root.GetProperty("tables").EnumerateArray().Select(t => new TableRowCount(t.GetProperty("schema").GetString()!,
                t.GetProperty("name").GetString()!, t.GetProperty("qualifiedName").GetString()!, t.GetProperty("rows").GetInt64())).ToList();
            return new RowCountDocument(root.GetProperty("database").GetString()!, root.GetProperty("lsn").GetString()!,
                root.GetProperty("countedAt").GetDateTimeOffset(), tables);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{DocumentName} is unreadable: {e.Message}", e);
        }
    }
}
