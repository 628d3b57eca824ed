using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;
using Pgark.Repository.Wal;

namespace Pgark.Repository.Tests.Wal;

public sealed class WalArchiveTests
{
    private const int SegmentSize = 16 * 1024 * 1024;

    [Theory]
    [InlineData(1u, 3ul, SegmentSize, "000000010000000000000003")]
    [InlineData(1u, 256ul, SegmentSize, "000000010000000100000000")]
    [InlineData(3u, 4101ul, 1 << 30, "000000030000040100000001")]
    public void Segment_file_names_follow_postgresql(uint timeline, ulong segment, int size, string expected)
    {
        Assert.Equal(expected, WalArchive.SegmentFileName(timeline, segment, size));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("pw")]
    public async Task Segments_and_history_round_trip_and_list_in_wal_order_without_reading(string? passphrase)
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store, passphrase);
        var segment = new byte[SegmentSize];
        TestData.Random(3 * 1024 * 1024, 5).CopyTo(segment, 0);
        var partial = segment.AsMemory(0, 5_000_000);

        var name5 = await repository.Wal.ArchiveSegmentAsync(1, 5, SegmentSize, segment, partial: false);
        var name4 = await repository.Wal.ArchiveSegmentAsync(1, 4, SegmentSize, segment, partial: false);
        Assert.Equal(name5, await repository.Wal.ArchiveSegmentAsync(1, 5, SegmentSize, segment, partial: false));
        await repository.Wal.ArchiveSegmentAsync(2, 6, SegmentSize, partial, partial: true);
        await repository.Wal.ArchiveHistoryAsync(2, "1\t0/6000000\tno recovery target specified\n"u8.ToArray());

        Assert.StartsWith("wal/000000010000000000000005.full.", name5);
        var timeline1 = await repository.Wal.ListAsync(1);
        Assert.Equal([name4, name5], timeline1.Select(o => o.FileName));
        var all = await repository.Wal.ListAsync();
        Assert.Equal(["000000010000000000000004", "000000010000000000000005", "00000002.history", "000000020000000000000006"],
            all.Select(o => o.WalFileName));
        Assert.Equal([WalKind.Full, WalKind.Full, WalKind.History, WalKind.Partial], all.Select(o => o.Kind));
        Assert.Equal(segment, await repository.Wal.ReadAsync(timeline1[1]));
        Assert.Equal(partial.ToArray(), await repository.Wal.ReadAsync(all[3]));
        Assert.True(timeline1[0].Length < SegmentSize / 3, "zeros compress");
        Assert.False((await repository.CheckAsync(readData: true)).HasErrors);
    }

    [Fact]
    public async Task A_damaged_wal_object_is_storage_damage_and_two_full_objects_for_one_segment_conflict()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        var name = await repository.Wal.ArchiveSegmentAsync(1, 1, SegmentSize, new byte[SegmentSize], partial: false);
        var bytes = await store.GetAsync(name);
        bytes[100] ^= 1;
        store.Overwrite(name, bytes);
        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(async () => await repository.Wal.ReadAsync((await repository.Wal.ListAsync(1))[0]));
        Assert.Equal((name, CorruptionCause.StorageDamage), (e.FileName, e.Cause));

        var other = new byte[SegmentSize];
        other[0] = 1;
        var conflict = await Assert.ThrowsAsync<WalSegmentConflictException>(() => repository.Wal.ArchiveSegmentAsync(1, 1, SegmentSize, other, partial: false));
        Assert.Equal($"a different complete WAL segment is already archived as {name}", conflict.Message);
        // A second complete object written behind the archiver's back (another tool, a bug) is what check reports.
        var contentId = repository.Hasher.Compute(other);
        var body = Pgark.Repository.Wal.WalObject.EncodeBody(WalKind.Full, 1, 1, SegmentSize, other, contentId, repository.Codec);
        var file = Pgark.Repository.Objects.ObjectEnvelope.Encode(ObjectType.Wal, body, false, null);
        await store.PutAsync("wal/000000010000000000000001.full." + Pgark.Repository.Ids.ChunkHasher.FileId(file), file);
        var report = await repository.CheckAsync();
        Assert.Equal("2 different complete objects for WAL segment 000000010000000000000001", Assert.Single(report.Errors).Message);
    }
}
