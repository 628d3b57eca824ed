using BenchmarkDotNet.Attributes;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;

namespace Pgark.Benchmarks.Repository;

/// <summary>
/// The merged index at 10 million synthetic chunks (about 1.2 TiB of data at 128 KiB chunks): build time and allocation,
/// resident bytes per chunk (printed in setup), and lookups of present and absent ids.
/// </summary>
[MemoryDiagnoser]
public class IndexBenchmarks
{
    private const int ChunksPerPack = 256;
    private IndexDelta _delta = null!;
    private MergedIndex _index = null!;
    private ChunkId[] _present = [];
    private ChunkId[] _absent = [];

    [Params(10_000_000)]
    public int Chunks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var packs = new List<ChunkId>();
        var entries = new List<(int, PackEntry)>(Chunks);
        for (var i = 0; i < Chunks; i++)
        {
            if (i % ChunksPerPack == 0)
                packs.Add(Id(-1 - i));
            entries.Add((packs.Count - 1, new PackEntry(Id(i), (uint)(i % ChunksPerPack) * 50_000, 50_000, 131_072, ChunkFlags.None, ChunkKind.Data)));
        }
        _delta = new IndexDelta(packs, entries, []);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        _index = MergedIndex.Build([_delta]);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"// merged index of {_index.Count} chunks: resident {_index.ResidentBytes} bytes = "
            + $"{(double)_index.ResidentBytes / _index.Count:F1} bytes/chunk; GC heap grew {(double)(after - before) / _index.Count:F1} bytes/chunk");
        var random = new Random(1);
        _present = Enumerable.Range(0, 1_000_000).Select(_ => Id(random.Next(Chunks))).ToArray();
        _absent = Enumerable.Range(0, 1_000_000).Select(i => Id(Chunks + i)).ToArray();
    }

    [Benchmark(OperationsPerInvoke = 1_000_000)]
    public int LookupPresent()
    {
        var found = 0;
        foreach (var id in _present)
            found += _index.TryGet(id, out _) ? 1 : 0;
        return found;
    }

    [Benchmark(OperationsPerInvoke = 1_000_000)]
    public int LookupAbsent()
    {
        var found = 0;
        foreach (var id in _absent)
            found += _index.Contains(id) ? 1 : 0;
        return found;
    }

    [Benchmark]
    public MergedIndex Build() => MergedIndex.Build([_delta]);

    /// <summary>A well-mixed id (SplitMix64 of n): BLAKE3-like randomness without hashing 10 million inputs.</summary>
    private static ChunkId Id(long n)
    {
        Span<byte> bytes = stackalloc byte[ChunkId.Size];
        var state = (ulong)n;
        for (var i = 0; i < 4; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes[(i * 8)..], SplitMix64(ref state));
        return new ChunkId(bytes);
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
