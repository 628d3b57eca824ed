using System.Text.Json;
using Pgark.Logical.Schema;

namespace Pgark.Logical;

/// <summary>
/// One table's data object: where its COPY text sits in the tree, how many rows, and the BLAKE3 of the stream.
/// <see cref="RowSet"/> is the order-independent digest of its rows (<see cref="RowSetDigest"/>), which the read-back
/// after a restore is checked against. <see cref="QualifiedName"/> is the server's own quoting (format('%I.%I')), the form schema.json's "table" fields use.
/// </summary>
public sealed record TableData(string Schema, string Name, string QualifiedName, string Path, long Rows, long Bytes, string Blake3, string RowSet);

/// <summary>A large object's data object: its oid (kept at restore), path, length and the BLAKE3 of its bytes.</summary>
public sealed record LargeObjectData(long Oid, string Path, long Bytes, string Blake3);

/// <summary>A sequence's position as read during the backup; restore calls setval(name, LastValue, IsCalled).</summary>
public sealed record SequenceValue(string Schema, string Name, long LastValue, bool IsCalled, string? Table);

/// <summary>
/// The two attached documents of a logical snapshot (spec/logical-format.md): "logical.json" (server, snapshot, tables,
/// sequences) and "schema.json" (definitions in restore order). JSON is written by hand so the format stays exactly as
/// specified and the engine stays AOT-compatible (no reflection serializer).
/// </summary>
public sealed record LogicalManifest(
    string Database,
    string ServerVersion,
    int ServerVersionNumber,
    string Encoding,
    string SnapshotMethod,
    string SnapshotName,
    string? Lsn,
    IReadOnlyList<TableData> Tables,
    IReadOnlyList<SequenceValue> Sequences,
    IReadOnlyList<LargeObjectData> LargeObjects,
    DatabaseDefinition? Definition = null)
{
    public const string DocumentName = "logical.json";
    public const string SchemaDocumentName = "schema.json";
    public const string GlobalsDocumentName = "globals.json";
    public const string SchemaFormat = "pgark-logical-schema";
    public const string GlobalsFormat = "pgark-logical-globals";
    public const int FormatVersion = 1;

    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", "pgark-logical");
            json.WriteNumber("version", FormatVersion);
            json.WriteString("database", Database);
            json.WriteString("serverVersion", ServerVersion);
            json.WriteNumber("serverVersionNum", ServerVersionNumber);
            json.WriteString("encoding", Encoding);
            if (Definition is not null)
            {
                json.WriteStartObject("databaseDefinition");
                json.WriteString("localeProvider", Definition.LocaleProvider);
                json.WriteString("collate", Definition.Collate);
                json.WriteString("ctype", Definition.Ctype);
                WriteNullable(json, "locale", Definition.Locale);
                WriteNullable(json, "icuRules", Definition.IcuRules);
                WriteNullable(json, "tablespace", Definition.Tablespace);
                json.WriteEndObject();
            }
            json.WriteStartObject("snapshot");
            json.WriteString("method", SnapshotMethod);
            json.WriteString("name", SnapshotName);
            if (Lsn is null) json.WriteNull("lsn"); else json.WriteString("lsn", Lsn);
            json.WriteEndObject();
            json.WriteStartArray("tables");
            foreach (var table in Tables)
            {
                json.WriteStartObject();
                json.WriteString("schema", table.Schema);
                json.WriteString("name", table.Name);
                json.WriteString("qualifiedName", table.QualifiedName);
                json.WriteString("path", table.Path);
                json.WriteNumber("rows", table.Rows);
                json.WriteNumber("bytes", table.Bytes);
                json.WriteString("blake3", table.Blake3);
                json.WriteString("rowSet", table.RowSet);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("sequences");
            foreach (var sequence in Sequences)
            {
                json.WriteStartObject();
                json.WriteString("schema", sequence.Schema);
                json.WriteString("name", sequence.Name);
                json.WriteNumber("lastValue", sequence.LastValue);
                json.WriteBoolean("isCalled", sequence.IsCalled);
                if (sequence.Table is null) json.WriteNull("table"); else json.WriteString("table", sequence.Table);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("largeObjects");
            foreach (var large in LargeObjects)
            {
                json.WriteStartObject();
                json.WriteNumber("oid", large.Oid);
                json.WriteString("path", large.Path);
                json.WriteNumber("bytes", large.Bytes);
                json.WriteString("blake3", large.Blake3);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static LogicalManifest Decode(byte[] document)
    {
        using var json = JsonDocument.Parse(document);
        var root = json.RootElement;
        RequireFormat(root, "pgark-logical", DocumentName);
        var snapshot = root.GetProperty("snapshot");
        var tables = root.GetProperty("tables").EnumerateArray().Select(t => new TableData(t.GetProperty("schema").GetString()!,
            t.GetProperty("name").GetString()!, t.GetProperty("qualifiedName").GetString()!, t.GetProperty("path").GetString()!, t.GetProperty("rows").GetInt64(),
            t.GetProperty("bytes").GetInt64(), t.GetProperty("blake3").GetString()!, t.GetProperty("rowSet").GetString()!)).ToList();
        var sequences = root.GetProperty("sequences").EnumerateArray().Select(s => new SequenceValue(s.GetProperty("schema").GetString()!,
            s.GetProperty("name").GetString()!, s.GetProperty("lastValue").GetInt64(), s.GetProperty("isCalled").GetBoolean(),
            s.GetProperty("table").GetString())).ToList();
        // Absent in documents written before large objects were backed up: none.
        var largeObjects = root.TryGetProperty("largeObjects", out var list)
            ? list.EnumerateArray().Select(l => new LargeObjectData(l.GetProperty("oid").GetInt64(), l.GetProperty("path").GetString()!,
                l.GetProperty("bytes").GetInt64(), l.GetProperty("blake3").GetString()!)).ToList()
            : [];
        // Absent in documents written before the database's locale and tablespace were recorded: created with the encoding only.
        var definition = root.TryGetProperty("databaseDefinition", out var d)
            ? new DatabaseDefinition(d.GetProperty("localeProvider").GetString()!, d.GetProperty("collate").GetString()!,
                d.GetProperty("ctype").GetString()!, d.GetProperty("locale").GetString(), d.GetProperty("icuRules").GetString(),
                d.GetProperty("tablespace").GetString())
            : null;
        return new LogicalManifest(root.GetProperty("database").GetString()!, root.GetProperty("serverVersion").GetString()!,
            root.GetProperty("serverVersionNum").GetInt32(), root.GetProperty("encoding").GetString()!, snapshot.GetProperty("method").GetString()!,
            snapshot.GetProperty("name").GetString()!, snapshot.GetProperty("lsn").GetString(), tables, sequences, largeObjects, definition);
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name); else json.WriteString(name, value);
    }

    public static byte[] EncodeSchema(IReadOnlyList<SchemaObject> objects, int serverVersionNumber, string format = SchemaFormat)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", format);
            json.WriteNumber("version", FormatVersion);
            json.WriteNumber("serverVersionNum", serverVersionNumber);
            json.WriteStartArray("objects");
            foreach (var item in objects)
            {
                json.WriteStartObject();
                json.WriteString("kind", item.Kind);
                json.WriteString("schema", item.Schema);
                json.WriteString("name", item.Name);
                json.WriteString("section", item.Section == SchemaSection.PreData ? "pre-data" : "post-data");
                if (item.Table is null) json.WriteNull("table"); else json.WriteString("table", item.Table);
                if (item.References is null) json.WriteNull("references"); else json.WriteString("references", item.References);
                if (item.Tablespace is not null) json.WriteString("tablespace", item.Tablespace);
                json.WriteString("sql", item.Sql);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static IReadOnlyList<SchemaObject> DecodeSchema(byte[] document, string format = SchemaFormat)
    {
        using var json = JsonDocument.Parse(document);
        RequireFormat(json.RootElement, format, format == SchemaFormat ? SchemaDocumentName : GlobalsDocumentName);
        return json.RootElement.GetProperty("objects").EnumerateArray().Select(o => new SchemaObject(o.GetProperty("kind").GetString()!,
            o.GetProperty("schema").GetString()!, o.GetProperty("name").GetString()!,
            o.GetProperty("section").GetString() == "pre-data" ? SchemaSection.PreData : SchemaSection.PostData,
            o.GetProperty("sql").GetString()!, o.GetProperty("table").GetString(), o.GetProperty("references").GetString(),
            o.TryGetProperty("tablespace", out var tablespace) ? tablespace.GetString() : null)).ToList();
    }

    private static void RequireFormat(JsonElement root, string format, string document)
    {
        if (root.GetProperty("format").GetString() != format || root.GetProperty("version").GetInt32() != FormatVersion)
            throw new LogicalException($"{document} is not a version {FormatVersion} {format} document; hint: a newer pgark wrote it");
    }
}
