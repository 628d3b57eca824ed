using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;

namespace Pgark.Repository.Tests.Index;

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

    /// <summary>The memory budget (spec §10.2): ≤ 40 bytes per chunk, measured on the heap, for one million chunks.</summary>
    [Fact]
    public void Resident_memory_per_chunk_stays_under_40_bytes_at_one_million_chunks()
    {
        var deltas = new List<IndexDelta>();
        var random = new Random(4);
        for (var d = 0; d < 10; d++)
            deltas.Add(Delta(random, 50, 2000));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var index = MergedIndex.Build(deltas);
        deltas.Clear();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perChunk = (double)(after - before) / index.Count;
        Assert.Equal(1_000_000, index.Count);
        Assert.True(index.ResidentBytes / (double)index.Count <= 40, $"{index.ResidentBytes / (double)index.Count:F1} computed bytes per chunk");
        Assert.True(perChunk <= 40, $"{perChunk:F1} measured bytes per chunk");
        GC.KeepAlive(index);
    }
}
