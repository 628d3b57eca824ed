using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;

namespace Pgark.Repository.Tests.Index;

/// <summary>Heap measurements are process-wide, so this collection runs alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

[Collection(nameof(MemoryMeasurement))]
public sealed class MergedIndexTests
{
    private static ChunkId RandomId(Random random)
    {
        Span<byte> bytes = stackalloc byte[32];
        random.NextBytes(bytes);
        return new ChunkId(bytes);
    }

    private static IndexDelta Delta(Random random, int packs, int perPack, List<ChunkId>? ids = null)
    {
        var list = new List<(ChunkId, IReadOnlyList<PackEntry>)>();
        for (var p = 0; p < packs; p++)
        {
            var entries = new List<PackEntry>();
            for (var i = 0; i < perPack; i++)
            {
                var id = RandomId(random);
                ids?.Add(id);
                entries.Add(new PackEntry(id, (uint)(i * 1000), 1000, 4000 + (uint)i, ChunkFlags.Compressed, (ChunkKind)(1 + i % 3)));
            }
            list.Add((RandomId(random), entries));
        }
        return IndexDelta.FromPacks(list);
    }

    [Fact]
    public void The_resident_entry_is_33_bytes()
    {
        Assert.Equal(33, MergedIndex.SlotSize);
    }

    [Fact]
    public void Every_indexed_chunk_is_found_with_its_exact_location_and_absent_ids_are_not()
    {
        var random = new Random(1);
        var ids = new List<ChunkId>();
        var deltas = new[] { Delta(random, 3, 500, ids), Delta(random, 2, 700, ids) };
        var index = MergedIndex.Build(deltas);
        Assert.Equal(2900, index.Count);
        foreach (var delta in deltas)
        {
            foreach (var (ordinal, entry) in delta.Entries)
            {
                Assert.True(index.TryGet(entry.Id, out var location));
                Assert.Equal(entry, location.Entry);
                Assert.Equal(delta.Packs[ordinal], location.Pack);
            }
        }
        for (var i = 0; i < 1000; i++)
            Assert.False(index.Contains(RandomId(random)));
    }

    [Fact]
    public void The_same_chunk_in_two_deltas_is_one_entry()
    {
        var random = new Random(2);
        var delta = Delta(random, 1, 100);
        var index = MergedIndex.Build([delta, delta]);
        Assert.Equal(100, index.Count);
    }

    [Fact]
    public void Index_delta_bodies_round_trip_and_reject_unsorted_entries()
    {
        var delta = Delta(new Random(3), 2, 10);
        var back = IndexDelta.DecodeBody(delta.EncodeBody());
        Assert.Equal(delta.Packs, back.Packs);
        Assert.Equal(delta.Entries, back.Entries);
        var body = delta.EncodeBody();
        var first = 16 + 2 * 32;
        var swapped = body.ToArray();
        body.AsSpan(first, 52).CopyTo(swapped.AsSpan(first + 52));
        body.AsSpan(first + 52, 52).CopyTo(swapped.AsSpan(first));
        var e = Assert.Throws<InvalidDataException>(() => IndexDelta.DecodeBody(swapped));
        Assert.StartsWith("entries are not sorted at", e.Message);
    }

    /// <summary>
    /// The memory budget (spec §10.2): ≤ 40 bytes per chunk, measured on the heap as the growth from N to 2N chunks (so
    /// fixed costs of the process do not count). N is 500 000 by default; PGARK_INDEX_CHUNKS=10000000 measures 5 M → 10 M,
    /// the figure the spec quotes (needs ~2 GB transient).
    /// </summary>
    [Fact]
    public void Resident_memory_per_chunk_stays_under_40_bytes()
    {
        var chunks = int.TryParse(Environment.GetEnvironmentVariable("PGARK_INDEX_CHUNKS"), out var n) ? n : 1_000_000;
        var (smallBytes, _) = Measure(chunks / 2);
        var (largeBytes, index) = Measure(chunks);
        var perChunk = (double)(largeBytes - smallBytes) / (index.Count / 2);
        var lookups = System.Diagnostics.Stopwatch.StartNew();
        var probe = new Random(5);
        for (var i = 0; i < 1_000_000; i++)
            index.Contains(RandomId(probe));
        lookups.Stop();
        Console.WriteLine($"merged index: {index.Count} chunks, {perChunk:F1} measured / {index.ResidentBytes / (double)index.Count:F1} computed " +
                          $"bytes per chunk, {lookups.Elapsed.TotalMilliseconds * 1000 / 1_000_000:F2} µs per absent lookup");
        Assert.True(index.ResidentBytes / (double)index.Count <= 40, $"{index.ResidentBytes / (double)index.Count:F1} computed bytes per chunk");
        Assert.True(perChunk <= 40, $"{perChunk:F1} measured bytes per chunk");
        GC.KeepAlive(index);
    }

    private static (long Bytes, MergedIndex Index) Measure(int chunks)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var deltas = new List<IndexDelta>();
        var random = new Random(chunks);
        for (var d = 0; d < chunks / 100_000; d++)
            deltas.Add(Delta(random, 50, 2000));
        var index = MergedIndex.Build(deltas);
        deltas.Clear();
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(chunks / 100_000 * 100_000, index.Count);
        return (after - before, index);
    }
}
