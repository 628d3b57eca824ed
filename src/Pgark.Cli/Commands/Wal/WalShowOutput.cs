using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Wal.Reader;
using Pgark.Wal.Show;

namespace Pgark.Cli.Commands.Wal;

/// <summary>How wal show prints: a header, one entry per transaction as it is read, a summary.</summary>
internal interface IWalShowOutput
{
    void Begin(WalShow show, WalShowRequest request);

    /// <param name="names">schema.table per relation of <paramref name="transaction"/> (null when unknown); empty without --db.</param>
    void Transaction(WalShowTransaction transaction, IReadOnlyList<string?> names);

    void End(WalShow show, int listed);
}

internal static class WalShowFormat
{
    /// <summary>PostgreSQL keeps microseconds; so do we.</summary>
    public static string Time(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + " UTC";

    public static string IsoTime(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Text: one line per transaction, one indented line per relation it changed.</summary>
internal sealed class WalShowText(TextWriter output) : IWalShowOutput
{
    public void Begin(WalShow show, WalShowRequest request)
    {
        string window = show.WindowStart is { } start
            ? $" (window {WalShowFormat.Time(start)[..19]} .. {WalShowFormat.Time(show.WindowEnd!.Value)})"
            : request.To is { } to ? $" to {to}" : "";
        output.WriteLine($"timeline {show.Archive.Timeline.Value}: reading {show.Segments.First().WalFileName} .. {show.Segments.Last().WalFileName} "
                         + $"from {show.ReadFrom}{window}");
    }

    public void Transaction(WalShowTransaction transaction, IReadOnlyList<string?> names)
    {
        string databases = transaction.Databases.Count == 0 ? "" : $"  databases {string.Join(',', transaction.Databases)}";
        string subxacts = transaction.Subxacts.Count == 0 ? "" : $"  subxacts {string.Join(',', transaction.Subxacts)}";
        output.WriteLine($"{WalShowFormat.Time(transaction.Time)}  {transaction.KindName}  xid {transaction.Xid}  lsn {transaction.Lsn}{databases}{subxacts}");
        for (int i = 0; i < transaction.Relations.Count; i++)
        {
            WalShowRelation relation = transaction.Relations[i];
            string name = i < names.Count && names[i] is { } known ? $" {known}" : "";
            string kind = relation.ResourceManager == "Heap" ? "" : $" ({relation.ResourceManager})";
            var rows = new List<string>();
            if (relation.Deleted > 0)
                rows.Add($"deleted {relation.Deleted}");
            if (relation.Inserted > 0)
                rows.Add($"inserted {relation.Inserted}");
            if (relation.Updated > 0)
                rows.Add($"updated {relation.Updated}");
            if (rows.Count == 0)
                rows.Add($"{relation.Records} records");
            output.WriteLine($"    {relation.Relation.DbOid}/{relation.Relation.RelNumber}{name}{kind}: {string.Join(", ", rows)}");
        }
        foreach (RelFileLocator dropped in transaction.DroppedRelations)
            output.WriteLine($"    {dropped.DbOid}/{dropped.RelNumber}: file dropped");
        if (transaction.RelationsTruncated)
            output.WriteLine("    (more relations than counted)");
    }

    public void End(WalShow show, int listed)
    {
        output.WriteLine($"read {show.ReadFrom} .. {show.ReadTo}: {show.Records} records in {show.SegmentsRead} segments ({show.Probes} probes); "
                         + $"{listed} transaction{(listed == 1 ? "" : "s")} listed");
        if (show.ReachedEndOfArchive)
        {
            string last = show.LastCompletionTime is { } time ? $"; its last transaction ended {WalShowFormat.Time(time)}" : "";
            output.WriteLine($"note: the archived WAL of timeline {show.Archive.Timeline.Value} ends at {show.ReadTo}{last}");
        }
        if (show.EvictedTransactions > 0)
            output.WriteLine($"note: {show.EvictedTransactions} open transactions were dropped at the memory limit; their changes are not listed");
    }
}

/// <summary>JSON (spec/wal-show.md): one object, written as it is read so memory stays bounded.</summary>
internal sealed class WalShowJson(TextWriter output) : IWalShowOutput
{
    private readonly MemoryStream _buffer = new();
    private Utf8JsonWriter? _json;

    public void Begin(WalShow show, WalShowRequest request)
    {
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _json.WriteStartObject();
        _json.WriteNumber("timeline", show.Archive.Timeline.Value);
        _json.WriteNumber("segment_size", show.Archive.SegmentSize);
        WriteOptional("window_start", show.WindowStart is { } s ? WalShowFormat.IsoTime(s) : null);
        WriteOptional("window_end", show.WindowEnd is { } e ? WalShowFormat.IsoTime(e) : null);
        WriteOptional("from_lsn", request.From?.ToString());
        WriteOptional("to_lsn", request.To?.ToString());
        _json.WriteString("read_from", show.ReadFrom.ToString());
        _json.WriteStartArray("transactions");
        Flush();
    }

    public void Transaction(WalShowTransaction transaction, IReadOnlyList<string?> names)
    {
        Utf8JsonWriter json = _json!;
        json.WriteStartObject();
        json.WriteString("kind", transaction.KindName);
        json.WriteNumber("xid", transaction.Xid);
        json.WriteString("time", WalShowFormat.IsoTime(transaction.Time));
        json.WriteString("lsn", transaction.Lsn.ToString());
        json.WriteString("end_lsn", transaction.EndLsn.ToString());
        json.WriteNumber("timeline", transaction.Timeline.Value);
        WriteNumbers("subxacts", transaction.Subxacts);
        WriteNumbers("databases", transaction.Databases);
        json.WriteStartArray("relations");
        for (int i = 0; i < transaction.Relations.Count; i++)
        {
            WalShowRelation relation = transaction.Relations[i];
            json.WriteStartObject();
            WriteLocator(relation.Relation);
            WriteOptional("name", i < names.Count ? names[i] : null);
            json.WriteString("rmgr", relation.ResourceManager);
            json.WriteNumber("inserted", relation.Inserted);
            json.WriteNumber("updated", relation.Updated);
            json.WriteNumber("deleted", relation.Deleted);
            json.WriteNumber("records", relation.Records);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("dropped_relations");
        foreach (RelFileLocator dropped in transaction.DroppedRelations)
        {
            json.WriteStartObject();
            WriteLocator(dropped);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteOptional("first_change_lsn", transaction.FirstChangeLsn?.ToString());
        json.WriteBoolean("relations_truncated", transaction.RelationsTruncated);
        json.WriteEndObject();
        Flush();
    }

    public void End(WalShow show, int listed)
    {
        Utf8JsonWriter json = _json!;
        json.WriteEndArray();
        json.WriteString("read_to", show.ReadTo.ToString());
        json.WriteNumber("records", show.Records);
        json.WriteNumber("segments_read", show.SegmentsRead);
        json.WriteNumber("probes", show.Probes);
        json.WriteNumber("listed", listed);
        WriteOptional("last_completion_time", show.LastCompletionTime is { } t ? WalShowFormat.IsoTime(t) : null);
        json.WriteNumber("evicted_transactions", show.EvictedTransactions);
        json.WriteBoolean("reached_end_of_archive", show.ReachedEndOfArchive);
        json.WriteEndObject();
        Flush();
        output.WriteLine();
        json.Dispose();
    }

    private void WriteLocator(RelFileLocator locator)
    {
        _json!.WriteNumber("tablespace", locator.SpcOid);
        _json.WriteNumber("database", locator.DbOid);
        _json.WriteNumber("relfilenode", locator.RelNumber);
    }

    private void WriteNumbers(string name, IReadOnlyList<uint> values)
    {
        _json!.WriteStartArray(name);
        foreach (uint value in values)
            _json.WriteNumberValue(value);
        _json.WriteEndArray();
    }

    private void WriteOptional(string name, string? value)
    {
        if (value is null)
            _json!.WriteNull(name);
        else
            _json!.WriteString(name, value);
    }

    private void Flush()
    {
        _json!.Flush();
        output.Write(Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length));
        _buffer.SetLength(0);
    }
}
