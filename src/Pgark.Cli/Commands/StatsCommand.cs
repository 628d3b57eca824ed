using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Cli.Parsing;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark stats</c>: how much the snapshots hold and how much the repository stores for them.</summary>
internal static class StatsCommand
{
    public static readonly CommandSpec Spec = new(
        "stats",
        "Show how much data the repository holds and stores.",
        "Logical bytes are the sizes of every regular file and document of every snapshot added up, as a restore of all "
        + "snapshots would write them. Unique bytes are the plaintext of the distinct data chunks (data and page deltas; trees "
        + "are counted apart), stored bytes what the packs hold for all chunks after compression and encryption. The "
        + "deduplication ratio is logical / unique, the compression ratio unique plaintext / stored, both of all chunks. "
        + "Index memory is what the merged index of this process occupies.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            snapshots:          3
            packs:              2
            chunks:             1204 (1180 data, 24 tree, 0 page delta)
            logical bytes:      314572800
            unique bytes:       104857600
            stored bytes:       41943040
            dedup ratio:        3.00
            compression ratio:  2.50
            index memory:       98304 bytes
            """);

    /// <summary>The figures stats prints.</summary>
    internal sealed record Figures(int Snapshots, int Packs, long Chunks, long DataChunks, long TreeChunks, long DeltaChunks,
        long LogicalBytes, long UniqueBytes, long PlainBytes, long StoredBytes, long IndexBytes)
    {
        public double DedupRatio => UniqueBytes == 0 ? 1 : (double)LogicalBytes / UniqueBytes;
        public double CompressionRatio => StoredBytes == 0 ? 1 : (double)PlainBytes / StoredBytes;
    }

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        var figures = await MeasureAsync(repository, cancellationToken).ConfigureAwait(false);
        if (arguments.Flag(Options.Json))
            WriteJson(context.Out, figures);
        else
            WriteText(context.Out, figures);
        return ExitCode.Ok;
    }

    internal static async Task<Figures> MeasureAsync(Repo repository, CancellationToken cancellationToken)
    {
        var stats = await repository.GetStatsAsync(cancellationToken).ConfigureAwait(false);
        long logical = 0;
        foreach (var snapshot in await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false))
        {
            logical += snapshot.Record.Documents.Sum(d => d.Size);
            await foreach (var file in repository.ReadTreeAsync(snapshot.Record, cancellationToken).ConfigureAwait(false))
                logical += file.Entry.Kind == FileKind.Regular ? file.Entry.Size : 0;
        }
        var data = stats.ByKind.GetValueOrDefault(ChunkKind.Data);
        var tree = stats.ByKind.GetValueOrDefault(ChunkKind.Tree);
        var delta = stats.ByKind.GetValueOrDefault(ChunkKind.PageDelta);
        return new Figures(stats.Snapshots, stats.Packs, stats.Chunks, data.Chunks, tree.Chunks, delta.Chunks,
            logical, data.PlainBytes + delta.PlainBytes, stats.PlainBytes, stats.StoredBytes, stats.IndexResidentBytes);
    }

    private static void WriteText(TextWriter output, Figures f)
    {
        output.WriteLine($"snapshots:          {f.Snapshots}");
        output.WriteLine($"packs:              {f.Packs}");
        output.WriteLine($"chunks:             {f.Chunks} ({f.DataChunks} data, {f.TreeChunks} tree, {f.DeltaChunks} page delta)");
        output.WriteLine($"logical bytes:      {f.LogicalBytes}");
        output.WriteLine($"unique bytes:       {f.UniqueBytes}");
        output.WriteLine($"stored bytes:       {f.StoredBytes}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dedup ratio:        {f.DedupRatio:F2}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compression ratio:  {f.CompressionRatio:F2}"));
        output.WriteLine($"index memory:       {f.IndexBytes} bytes");
    }

    private static void WriteJson(TextWriter output, Figures f)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("snapshots", f.Snapshots);
            json.WriteNumber("packs", f.Packs);
            json.WriteNumber("chunks", f.Chunks);
            json.WriteNumber("data_chunks", f.DataChunks);
            json.WriteNumber("tree_chunks", f.TreeChunks);
            json.WriteNumber("page_delta_chunks", f.DeltaChunks);
            json.WriteNumber("logical_bytes", f.LogicalBytes);
            json.WriteNumber("unique_bytes", f.UniqueBytes);
            json.WriteNumber("plain_bytes", f.PlainBytes);
            json.WriteNumber("stored_bytes", f.StoredBytes);
            json.WriteNumber("dedup_ratio", Math.Round(f.DedupRatio, 4));
            json.WriteNumber("compression_ratio", Math.Round(f.CompressionRatio, 4));
            json.WriteNumber("index_memory_bytes", f.IndexBytes);
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
