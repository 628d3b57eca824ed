using Pgark.Recovery;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Wal;

/// <summary>
/// Segments in progress held as pieces and partials (repository-format.md §8.1): assembly into the longest prefix with gaps,
/// overlaps and old-format partials, as every reader (wal get, the recovery map, status, forget) sees it.
/// </summary>
public sealed class WalPiecesTests
{
    private const int SegmentSize = 1 << 20;
    private static readonly TimelineId s_timeline = new(1);

    private static async Task<(WalStore Store, MemoryStore Blobs)> NewStoreAsync()
    {
        var blobs = new MemoryStore();
        return (new WalStore(await Pgark.Repository.Repository.InitAsync(blobs, new RepositoryInitOptions()), 7_301_234_567_890_123_456), blobs);
    }

    private static byte[] Wal(int length, int seed = 3)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(new int[0], 0, new int[0])]
    [InlineData(new[] { 0, 10, 10, 20, 20, 30 }, 30, new[] { 0, 1, 2 })]
    [InlineData(new[] { 10, 20, 0, 10 }, 20, new[] { 1, 0 })]
    [InlineData(new[] { 0, 10, 15, 30 }, 10, new[] { 0 })]
    [InlineData(new[] { 5, 30 }, 0, new int[0])]
    [InlineData(new[] { 0, 10, 0, 25, 5, 20, 20, 40 }, 40, new[] { 1, 3 })]
    [InlineData(new[] { 0, 10, 8, 12, 10, 30, 12, 14 }, 30, new[] { 0, 2 })]
    public void Assembly_takes_the_longest_prefix_with_the_fewest_parts(int[] flat, int end, int[] chain)
    {
        var ranges = Enumerable.Range(0, flat.Length / 2).Select(i => (flat[2 * i], flat[2 * i + 1])).ToList();

        (int assembledEnd, List<int> assembledChain) = WalPrefix.Assemble(ranges);

        Assert.Equal(end, assembledEnd);
        Assert.Equal(chain, assembledChain);
    }

    [Fact]
    public async Task Pieces_after_an_old_format_partial_read_as_one_prefix_and_a_gap_ends_it()
    {
        (WalStore store, _) = await NewStoreAsync();
        byte[] wal = Wal(300_000);
        await store.PutSegmentAsync(s_timeline, 5, SegmentSize, wal.AsMemory(0, 100_000), partial: true);
        await store.PutPieceAsync(s_timeline, 5, SegmentSize, 80_000, wal.AsMemory(80_000, 70_000));
        await store.PutPieceAsync(s_timeline, 5, SegmentSize, 150_000, wal.AsMemory(150_000, 50_000));
        await store.PutPieceAsync(s_timeline, 5, SegmentSize, 250_000, wal.AsMemory(250_000, 50_000));

        WalSegmentObject segment = Assert.Single(await store.ListAsync());

        Assert.Equal(WalKind.Partial, segment.Kind);
        Assert.Equal(200_000, segment.ValidLength);
        Assert.Equal(4, segment.Parts.Count);
        Assert.Contains("piece-000249F0-00030D40", segment.ObjectName);
        Assert.Equal(wal.AsSpan(0, 200_000).ToArray(), await store.ReadAsync(segment));
    }

    [Fact]
    public async Task Overlapping_parts_that_disagree_are_reported_not_chosen_between()
    {
        (WalStore store, _) = await NewStoreAsync();
        byte[] wal = Wal(200_000);
        await store.PutPieceAsync(s_timeline, 5, SegmentSize, 0, wal.AsMemory(0, 120_000));
        byte[] other = wal.AsSpan(100_000, 100_000).ToArray();
        other[5] ^= 1;
        await store.PutPieceAsync(s_timeline, 5, SegmentSize, 100_000, other);

        WalSegmentObject segment = Assert.Single(await store.ListAsync());
        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => store.ReadAsync(segment));

        Assert.Contains("bytes 100000..120000 differ between this object and the one before it", e.Message);
    }

    [Fact]
    public async Task A_reader_given_only_an_object_name_reads_the_prefix_the_archive_holds_now()
    {
        (WalStore store, _) = await NewStoreAsync();
        byte[] wal = Wal(60_000);
        await store.PutPieceAsync(s_timeline, 5, SegmentSize, 0, wal.AsMemory(0, 20_000));
        WalSegmentObject last = await store.PutPieceAsync(s_timeline, 5, SegmentSize, 20_000, wal.AsMemory(20_000, 40_000));
        // As the recovery planner describes a segment: one name, partial, its valid length.
        var described = new WalSegmentObject(last.ObjectName, last.WalFileName, WalKind.Partial, s_timeline, 5, 60_000, -1);

        Assert.Equal(wal, await store.ReadAsync(described));
    }

    [Fact]
    public async Task Once_the_full_segment_replaced_the_pieces_a_stale_listing_still_reads()
    {
        (WalStore store, _) = await NewStoreAsync();
        byte[] wal = Wal(SegmentSize);
        await store.PutPieceAsync(s_timeline, 5, SegmentSize, 0, wal.AsMemory(0, 20_000));
        WalSegmentObject stale = Assert.Single(await store.ListAsync());
        await store.PutSegmentAsync(s_timeline, 5, SegmentSize, wal, partial: false);
        await store.DeleteAsync(stale);

        Assert.Equal(wal, await store.ReadAsync(stale));
    }

    [Fact]
    public async Task A_reader_whose_parts_are_replaced_twice_while_it_reads_still_reads_the_segment()
    {
        // A live streamer merges pieces and then stores the full segment, each time writing the replacement before deleting
        // what it replaces: the reader's listed piece vanishes, then the piece its fresh listing named vanishes too.
        var blobs = new ReplacingStore();
        var store = new WalStore(await Pgark.Repository.Repository.InitAsync(blobs, new RepositoryInitOptions()), 7_301_234_567_890_123_456);
        byte[] wal = Wal(SegmentSize);
        await store.PutPieceAsync(s_timeline, 5, SegmentSize, 0, wal.AsMemory(0, 20_000));
        WalSegmentObject stale = Assert.Single(await store.ListAsync());
        var replacements = new Queue<Func<Task>>([
            () => store.PutPieceAsync(s_timeline, 5, SegmentSize, 0, wal.AsMemory(0, 40_000)),
            () => store.PutSegmentAsync(s_timeline, 5, SegmentSize, wal, partial: false),
        ]);
        bool replacing = false; // a writer reads back what it stored: that read is not the reader's
        blobs.BeforePieceGet = async name =>
        {
            if (!replacing && replacements.TryDequeue(out var replace))
            {
                replacing = true;
                await replace();
                replacing = false;
                await blobs.DeleteAsync(name);
            }
        };

        Assert.Equal(wal, await store.ReadAsync(stale));
        Assert.Empty(replacements);
    }

    /// <summary>A store that runs <see cref="BeforePieceGet"/> before it serves a WAL piece (a streamer acting mid-read).</summary>
    private sealed class ReplacingStore : IBlobStore
    {
        private readonly MemoryStore _inner = new();

        public Func<string, Task>? BeforePieceGet { get; set; }

        public ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
            _inner.PutAsync(name, data, cancellationToken);

        public ValueTask<int> ReadAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(name, offset, destination, cancellationToken);

        public async ValueTask<byte[]> GetAsync(string name, CancellationToken cancellationToken = default)
        {
            if (BeforePieceGet is { } hook && name.Contains(".piece-", StringComparison.Ordinal))
                await hook(name);
            return await _inner.GetAsync(name, cancellationToken);
        }

        public ValueTask<BlobInfo?> StatAsync(string name, CancellationToken cancellationToken = default) => _inner.StatAsync(name, cancellationToken);

        public IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
            _inner.ListAsync(prefix, cancellationToken);

        public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) => _inner.DeleteAsync(name, cancellationToken);
    }

    [Fact]
    public async Task The_recovery_map_counts_the_prefix_and_deleting_a_segment_removes_every_part()
    {
        (WalStore store, MemoryStore blobs) = await NewStoreAsync();
        byte[] wal = Wal(SegmentSize);
        await store.PutSegmentAsync(s_timeline, 4, SegmentSize, wal, partial: false);
        await store.PutSegmentAsync(s_timeline, 5, SegmentSize, wal.AsMemory(0, 4096), partial: true);
        await store.PutPieceAsync(s_timeline, 5, SegmentSize, 4096, wal.AsMemory(4096, 8192));
        await store.PutPieceAsync(s_timeline, 6, SegmentSize, 8192, wal.AsMemory(8192, 100));

        WalArchiveMap map = await WalArchiveMap.LoadAsync(store.Repository, store.SystemIdentifier);

        Assert.True(map.TryFindSegment(s_timeline, 5, out ArchivedSegment five));
        Assert.Equal((true, 12_288L), (five.IsPartial, five.ValidLength));
        Assert.False(map.TryFindSegment(s_timeline, 6, out _));
        WalSegmentObject partial = (await store.ListAsync()).Single(o => o.SegmentNumber == 5);
        await store.DeleteAsync(partial);
        Assert.Equal([4UL, 6UL], (await store.ListObjectsAsync()).Select(o => o.SegmentNumber));
        Assert.DoesNotContain(await blobs.ListAsync(Pgark.Repository.Wal.WalArchive.ClusterDirectory(store.SystemIdentifier) + "000000010000000000000005").ToListAsync(), _ => true);
        Assert.Contains(await blobs.ListAsync(Pgark.Repository.Wal.WalArchive.ClusterDirectory(store.SystemIdentifier) + "000000010000000000000004").ToListAsync(), _ => true);
    }

    [Fact]
    public async Task A_piece_whose_name_disagrees_with_its_header_is_damage()
    {
        (WalStore store, MemoryStore blobs) = await NewStoreAsync();
        WalSegmentObject piece = await store.PutPieceAsync(s_timeline, 5, SegmentSize, 0, Wal(1000));
        byte[] file = await blobs.GetAsync(piece.ObjectName);
        string renamed = piece.ObjectName.Replace("piece-00000000-000003E8", "piece-00000000-000003E9", StringComparison.Ordinal);
        await blobs.DeleteAsync(piece.ObjectName);
        await blobs.PutAsync(renamed, file);

        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => store.ListAsync());

        Assert.Contains("the piece's header says bytes 0..1000 of its segment, its name 0..1001", e.Message);
    }
}
