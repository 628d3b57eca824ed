using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Cli.Parsing;
using Pgark.Repository;
using Pgark.Repository.Config;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark cat config|pack|index|snapshot [ID]</c>: one repository object, decoded, as JSON.</summary>
internal static class CatCommand
{
    public static readonly CommandSpec Spec = new(
        "cat",
        "Print one repository object (config, pack header, index delta, snapshot) as JSON.",
        "For debugging the repository format in the field. 'config' needs no id and no passphrase. 'pack ID' prints the "
        + "pack's header (every chunk's id, offset, stored and plain length, flags and kind), 'index ID' an index delta "
        + "(its packs, entries and the deltas it supersedes), 'snapshot ID' a snapshot's metadata, tree chunks, documents and "
        + "files. ID is a full id or a unique prefix of at least 4 hex digits. Objects are verified against their names first.",
        Arguments: "config|pack|index|snapshot [ID]",
        MaxPositionals: 2,
        RunAsync,
        Output: """
            {
              "format_version": 1,
              "encrypted": false,
              "repository_id": "3f9a1c0d5e7b2a4c8d6e0f1a2b3c4d5e"
            }
            """);

    private static readonly JsonWriterOptions s_json = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var what = arguments.Positionals.Count > 0 ? arguments.Positionals[0]
            : throw new UsageException("pgark cat needs an object type", "give one of: config, pack ID, index ID, snapshot ID");
        if (what == "config")
        {
            var store = RepositoryLocation.OpenStore(arguments);
            var config = RepositoryConfig.Decode(await store.GetAsync(RepositoryConfig.FileName, cancellationToken).ConfigureAwait(false));
            Write(context.Out, json => WriteConfig(json, config));
            return ExitCode.Ok;
        }
        if (what is not ("pack" or "index" or "snapshot"))
            throw new UsageException($"unknown object type \"{what}\" for pgark cat", "give one of: config, pack ID, index ID, snapshot ID");
        var prefix = arguments.Positionals.Count > 1 ? arguments.Positionals[1]
            : throw new UsageException($"pgark cat {what} needs an id", $"list ids with 'pgark snapshots' or under {what}s/ in the repository");
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        switch (what)
        {
            case "pack":
                var packId = await ResolveAsync(repository.Store, PackLayout.Directory, prefix, cancellationToken).ConfigureAwait(false);
                var entries = await repository.ReadPackHeaderAsync(packId, cancellationToken).ConfigureAwait(false);
                Write(context.Out, json => WritePack(json, packId, entries));
                break;
            case "index":
                var indexId = await ResolveAsync(repository.Store, IndexDelta.Directory, prefix, cancellationToken).ConfigureAwait(false);
                var delta = await repository.LoadIndexDeltaAsync(indexId, cancellationToken).ConfigureAwait(false);
                Write(context.Out, json => WriteIndex(json, indexId, delta));
                break;
            default:
                var snapshot = await repository.FindSnapshotAsync(CheckPrefix(prefix), cancellationToken).ConfigureAwait(false);
                var files = new List<TreeFile>();
                await foreach (var file in repository.ReadTreeAsync(snapshot.Record, cancellationToken).ConfigureAwait(false))
                    files.Add(file);
                Write(context.Out, json => WriteSnapshot(json, snapshot, files));
                break;
        }
        return ExitCode.Ok;
    }

    /// <summary>The one file under <paramref name="directory"/> whose id starts with <paramref name="prefix"/>.</summary>
    private static async Task<ChunkId> ResolveAsync(IBlobStore store, string directory, string prefix, CancellationToken cancellationToken)
    {
        CheckPrefix(prefix);
        var matches = new List<ChunkId>();
        await foreach (var info in store.ListAsync(directory, cancellationToken).ConfigureAwait(false))
        {
            var last = info.Name[(info.Name.LastIndexOf('/') + 1)..];
            if (last.StartsWith(prefix, StringComparison.Ordinal) && ChunkId.TryParse(last, out var id))
                matches.Add(id);
        }
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new RepositoryObjectMissingException(directory + prefix, detail: "no file id starts with this prefix"),
            _ => throw new UsageException($"id prefix '{prefix}' is ambiguous: {matches.Count} files under {directory} match", "give more hex digits"),
        };
    }

    private static string CheckPrefix(string prefix)
        => prefix.Length is >= 4 and <= 64 && prefix.All(char.IsAsciiHexDigitLower) ? prefix
            : throw new UsageException($"invalid id \"{prefix}\"", "give a full id or a prefix of at least 4 lower-case hex digits");

    private static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, s_json))
            write(json);
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteConfig(Utf8JsonWriter json, RepositoryConfig config)
    {
        json.WriteStartObject();
        json.WriteNumber("format_version", config.FormatVersion);
        json.WriteBoolean("encrypted", config.Encrypted);
        json.WriteString("repository_id", config.RepositoryIdHex);
        json.WriteEndObject();
    }

    private static void WritePack(Utf8JsonWriter json, ChunkId packId, IReadOnlyList<PackEntry> entries)
    {
        json.WriteStartObject();
        json.WriteString("pack", packId.ToString());
        json.WriteNumber("chunk_count", entries.Count);
        json.WriteStartArray("chunks");
        foreach (var entry in entries)
            WriteEntry(json, entry, packOrdinal: null);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteIndex(Utf8JsonWriter json, ChunkId indexId, IndexDelta delta)
    {
        json.WriteStartObject();
        json.WriteString("index", indexId.ToString());
        json.WriteStartArray("supersedes");
        foreach (var id in delta.Supersedes)
            json.WriteStringValue(id.ToString());
        json.WriteEndArray();
        json.WriteStartArray("packs");
        foreach (var pack in delta.Packs)
            json.WriteStringValue(pack.ToString());
        json.WriteEndArray();
        json.WriteStartArray("entries");
        foreach (var (ordinal, entry) in delta.Entries)
            WriteEntry(json, entry, ordinal);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteEntry(Utf8JsonWriter json, PackEntry entry, int? packOrdinal)
    {
        json.WriteStartObject();
        json.WriteString("id", entry.Id.ToString());
        if (packOrdinal is { } ordinal)
            json.WriteNumber("pack", ordinal);
        json.WriteNumber("offset", entry.Offset);
        json.WriteNumber("stored_length", entry.StoredLength);
        json.WriteNumber("plain_length", entry.PlainLength);
        json.WriteString("flags", entry.Flags.ToString());
        json.WriteString("kind", entry.Kind.ToString());
        json.WriteEndObject();
    }

    private static void WriteSnapshot(Utf8JsonWriter json, SnapshotInfo snapshot, List<TreeFile> files)
    {
        var m = snapshot.Record.Metadata;
        json.WriteStartObject();
        json.WriteString("snapshot", snapshot.Id.ToString());
        json.WriteString("kind", m.Kind.ToString());
        json.WriteString("label", m.Label);
        json.WriteString("hostname", m.Hostname);
        json.WriteString("system_identifier", m.SystemIdentifier.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("pg_version", m.PgVersion);
        json.WriteNumber("timeline", m.Timeline);
        json.WriteString("start_lsn", $"{m.StartLsn >> 32:X}/{m.StartLsn & 0xFFFFFFFF:X}");
        json.WriteString("end_lsn", $"{m.EndLsn >> 32:X}/{m.EndLsn & 0xFFFFFFFF:X}");
        json.WriteString("start_time", m.StartTime);
        json.WriteString("end_time", m.EndTime);
        json.WriteString("parent", m.ParentSnapshotId == default ? "" : m.ParentSnapshotId.ToString());
        json.WriteNumber("tree_records", snapshot.Record.TreeRecordCount);
        json.WriteStartArray("tree_chunks");
        foreach (var id in snapshot.Record.TreeChunks)
            json.WriteStringValue(id.ToString());
        json.WriteEndArray();
        json.WriteStartArray("documents");
        foreach (var document in snapshot.Record.Documents)
        {
            json.WriteStartObject();
            json.WriteString("name", document.Name);
            json.WriteNumber("size", document.Size);
            json.WriteNumber("chunks", document.Chunks.Count);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("files");
        foreach (var file in files)
        {
            json.WriteStartObject();
            json.WriteString("path", file.Entry.Path);
            json.WriteString("kind", file.Entry.Kind.ToString());
            json.WriteString("layout", file.Entry.Layout.ToString());
            json.WriteNumber("size", file.Entry.Size);
            json.WriteNumber("chunks", file.Chunks.Count);
            json.WriteNumber("extents", file.Extents.Count);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
