using BenchmarkDotNet.Attributes;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;
using Pgark.Repository.Storage;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Benchmarks.Repository;

/// <summary>
/// Peak memory of prune over a synthetic repository: <see cref="Chunks"/> chunks listed in index deltas of
/// <see cref="RepositoryOptions.IndexDeltaEntries"/> entries, 256 per pack, in a MemoryStore; no snapshot reaches them, so prune
/// marks nothing, drops every pack and rewrites the index. Prints the growth of the process's peak resident set (VmHWM,
/// reset through /proc/self/clear_refs) during the prune, per chunk and against the 33-byte resident index entry.
/// </summary>
public class PruneMemoryBenchmarks
{
    private const int ChunksPerPack = 256;
    private Repo _repository = null!;

    [Params(2_000_000)]
    public int Chunks { get; set; }

    [IterationSetup]
    public void Setup()
    {
        var store = new MemoryStore();
        var repository = Repo.InitAsync(store, new RepositoryInitOptions()).GetAwaiter().GetResult();
        var perDelta = repository.Options.IndexDeltaEntries;
        var random = new Random(5);
        Span<byte> bytes = stackalloc byte[32];
        for (var first = 0; first < Chunks; first += perDelta)
        {
            var packs = new List<(ChunkId, IReadOnlyList<PackEntry>)>();
            for (var at = first; at < Math.Min(Chunks, first + perDelta); at += ChunksPerPack)
            {
                var entries = new List<PackEntry>(ChunksPerPack);
                for (var i = at; i < Math.Min(Math.Min(Chunks, first + perDelta), at + ChunksPerPack); i++)
                {
                    random.NextBytes(bytes);
                    entries.Add(new PackEntry(new ChunkId(bytes), (uint)(i - at) * 50_000, 50_000, 131_072, ChunkFlags.Compressed, ChunkKind.Data));
                }
                random.NextBytes(bytes);
                packs.Add((new ChunkId(bytes), entries));
            }
            repository.PutObjectAsync(IndexDelta.Directory, ObjectType.Index, IndexDelta.FromPacks(packs).EncodeBody(), CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        _repository = Repo.OpenAsync(store).GetAwaiter().GetResult();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    [Benchmark]
    public long Prune()
    {
        var resident = _repository.Index.ResidentBytes;
        var before = ReadStatusKiB("VmRSS:");
        var reset = TryResetPeak();
        var result = _repository.PruneAsync().GetAwaiter().GetResult();
        var peak = ReadStatusKiB("VmHWM:");
        var growth = (peak - before) * 1024;
        Console.WriteLine(reset
            ? $"// prune of {Chunks} chunks ({result.PacksDeleted} packs dropped): peak RSS grew {growth >> 20} MiB = {(double)growth / Chunks:F1} "
              + $"bytes/chunk = {(double)growth / resident:F2}x the resident index ({resident >> 20} MiB)"
            : "// /proc/self/clear_refs not writable; no peak figure");
        return result.UnreachableChunks;
    }

    private static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long ReadStatusKiB(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
