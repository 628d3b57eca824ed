using System.Diagnostics;
using System.Globalization;
using Pgark.Repository.Codecs;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;
using Pgark.Repository.Storage;
using Pgark.Tests.Cli;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Tests.Repository;

/// <summary>
/// `pgark prune` as its own process with its GC heap capped (DOTNET_GCHeapHardLimit) over a synthetic repository whose
/// resident index is 66 MB (2 M chunks in ten index deltas, none reachable, so prune drops every pack and rewrites the
/// index). Opening builds the index at twice its resident size (spec §10.2); prune's reload then drops the old index and
/// reads the deltas straight into one table, so the process never holds more than that. A prune that built the new
/// index beside the old one (three times the index) runs out of heap under the cap.
/// </summary>
public sealed class PruneMemoryBoundTests : IDisposable
{
    private const int Chunks = 2_000_000;
    private const int ChunksPerDelta = 200_000;
    private const int ChunksPerPack = 256;
    private const long IndexBytes = (long)Chunks * 33;
    // 2.5 × the index + 24 MiB for the runtime, the CLI and one delta being read: above what open needs (2×), below a
    // reload beside the old index (3×).
    private const long HeapCap = IndexBytes * 5 / 2 + (24L << 20);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pgark-prune-memory-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Prune_RunsUnderAHeapCapBelowThreeIndexes()
    {
        Assert.True(HeapCap < 3 * IndexBytes, "the cap must be below three indexes, or the test proves nothing");
        await WriteSyntheticRepositoryAsync();

        var start = PgarkBinary.StartInfo(["prune", "--repo", _directory]);
        foreach (string name in start.Environment.Keys.Where(n => n.StartsWith("PGARK_", StringComparison.Ordinal) || n.StartsWith("DOTNET_GC", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        start.Environment["DOTNET_GCHeapHardLimit"] = HeapCap.ToString("x", CultureInfo.InvariantCulture);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        string message = $"exit {process.ExitCode} under a {HeapCap >> 20} MiB heap cap (index {IndexBytes >> 20} MiB):\n{await output}\n{await error}";
        Assert.True(process.ExitCode == 0, message);
        Assert.Contains($"removed chunks:     {Chunks}", await output);
        Assert.Contains("index deltas:       10 replaced", await output);
    }

    /// <summary>
    /// Index deltas written as spec §3 and §10.1 describe (zstd-compressed envelope, file named by its BLAKE3); the packs
    /// they name do not exist, which prune treats as packs to drop.
    /// </summary>
    private async Task WriteSyntheticRepositoryAsync()
    {
        var store = new LocalStore(_directory);
        await Repo.InitAsync(store, new Pgark.Repository.RepositoryInitOptions());
        var random = new Random(11);
        var id = new byte[32];
        for (var first = 0; first < Chunks; first += ChunksPerDelta)
        {
            var packs = new List<(ChunkId, IReadOnlyList<PackEntry>)>();
            for (var at = first; at < first + ChunksPerDelta; at += ChunksPerPack)
            {
                var entries = new List<PackEntry>(ChunksPerPack);
                for (var i = at; i < Math.Min(first + ChunksPerDelta, at + ChunksPerPack); i++)
                {
                    random.NextBytes(id);
                    entries.Add(new PackEntry(new ChunkId(id), (uint)(i - at) * 50_000, 50_000, 131_072, ChunkFlags.Compressed, ChunkKind.Data));
                }
                random.NextBytes(id);
                packs.Add((new ChunkId(id), entries));
            }
            var body = IndexDelta.FromPacks(packs).EncodeBody();
            var file = new byte[8 + Zstd.CompressBound(body.Length)];
            FormatConstants.ObjectMagic.CopyTo(file);
            file[4] = (byte)ObjectType.Index;
            file[5] = FormatConstants.ObjectVersion;
            file[6] = 1; // Compressed
            var length = 8 + Zstd.Compress(body, file.AsSpan(8), 3);
            var bytes = file.AsMemory(0, length);
            await store.PutAsync(IndexDelta.FileName(ChunkHasher.FileId(bytes.Span)), bytes);
        }
    }
}
