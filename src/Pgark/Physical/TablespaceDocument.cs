using System.Text;
using System.Text.Json;
using Pgark.Wire.Replication;

namespace Pgark.Physical;

/// <summary>
/// The snapshot's "tablespaces" document: a JSON array of {"oid", "location", "size_kb"} for every tablespace other
/// than pg_default and pg_global, as BASE_BACKUP listed them (spec/physical.md).
/// </summary>
internal static class TablespaceDocument
{
    public static byte[] Encode(IReadOnlyList<BaseBackupTablespace> tablespaces)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (BaseBackupTablespace tablespace in tablespaces.Where(t => t.Oid is not null))
            {
                json.WriteStartObject();
                json.WriteNumber("oid", tablespace.Oid!.Value);
                json.WriteString("location", tablespace.Location);
                if (tablespace.Size is { } size)
                    json.WriteNumber("size_kb", size);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return buffer.ToArray();
    }

    public static IReadOnlyList<(uint Oid, string Location)> Decode(byte[] document)
    {
        using JsonDocument json = JsonDocument.Parse(document);
        return json.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("oid").GetUInt32(), e.GetProperty("location").GetString() ?? ""))
            .ToList();
    }

    public static string Describe(IReadOnlyList<(uint Oid, string Location)> tablespaces)
        => new StringBuilder().AppendJoin(", ", tablespaces.Select(t => $"{t.Oid} → {t.Location}")).ToString();
}
