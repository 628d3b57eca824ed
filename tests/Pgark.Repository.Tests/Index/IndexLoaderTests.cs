using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests.Index;

/// <summary>LoadIndexAsync through IndexLoader: deltas kept only in compact form, superseded ones left out, collisions refused.</summary>
public sealed class IndexLoaderTests
{
    private static ChunkId Id(Random random)
    {
        Span<byte> bytes = stackalloc byte[32];
        random.NextBytes(bytes);
        return new ChunkId(bytes);
    }

    private static PackEntry Entry(ChunkId id, uint offset) => new(id, offset, 100, 400, ChunkFlags.Compressed, ChunkKind.Data);

    private static Task<ChunkId> PutDeltaAsync(Repository repository, ChunkId pack, IEnumerable<ChunkId> ids, params ChunkId[] supersedes)
    {
        var entries = ids.Select((id, i) => Entry(id, (uint)i * 100)).ToList();
        var delta = IndexDelta.FromPacks([(pack, entries)], supersedes);
        return repository.PutObjectAsync(IndexDelta.Directory, ObjectType.Index, delta.EncodeBody(), CancellationToken.None);
    }

    [Fact]
    public async Task The_loaded_index_is_the_union_of_the_deltas_not_superseded_with_repeats_once()
    {
        var random = new Random(11);
        var repository = await TestData.InitAsync(new MemoryStore());
        var (packA, packB, packC) = (Id(random), Id(random), Id(random));
        var a = Enumerable.Range(0, 300).Select(_ => Id(random)).ToList();
        var b = Enumerable.Range(0, 200).Select(_ => Id(random)).ToList();
        var c = b.Take(50).Concat(Enumerable.Range(0, 100).Select(_ => Id(random))).ToList();
        var deltaA = await PutDeltaAsync(repository, packA, a);
        await PutDeltaAsync(repository, packB, b, supersedes: deltaA);
        await PutDeltaAsync(repository, packC, c);

        await repository.LoadIndexAsync();

        Assert.Equal(200 + 100, repository.Index.Count);
        Assert.All(a, id => Assert.False(repository.Index.Contains(id)));
        foreach (var id in b.Concat(c))
        {
            Assert.True(repository.Index.TryGet(id, out var location));
            Assert.True(location.Pack == packB || location.Pack == packC);
        }
        Assert.True(repository.Index.TryGet(c[^1], out var last));
        Assert.Equal(packC, last.Pack);
        Assert.Equal(Entry(c[^1], 149 * 100), last.Entry);
        Assert.Equal(new HashSet<ChunkId> { packB, packC }, repository.Index.Packs.ToHashSet());
    }

    [Fact]
    public async Task Two_ids_sharing_their_first_128_bits_in_different_deltas_are_refused()
    {
        var random = new Random(12);
        var repository = await TestData.InitAsync(new MemoryStore());
        Span<byte> bytes = stackalloc byte[32];
        random.NextBytes(bytes);
        var first = new ChunkId(bytes);
        bytes[31] ^= 0xff;
        var second = new ChunkId(bytes);
        await PutDeltaAsync(repository, Id(random), [first, Id(random)]);
        await PutDeltaAsync(repository, Id(random), [Id(random), second]);

        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => repository.LoadIndexAsync());
        Assert.Contains("share their first 128 bits; the resident index cannot tell them apart", e.Message);
    }
}
