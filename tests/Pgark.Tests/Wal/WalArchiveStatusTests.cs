using System.Buffers.Binary;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Wal;

/// <summary>Status and gap detection over an in-memory repository with 1 MiB segments, timelines up to 0x11.</summary>
public sealed class WalArchiveStatusTests
{
    private const int SegmentSize = 1 << 20;
    private const ulong SystemId = 7_301_234_567_890_123_456;

    private static async Task<WalStore> NewStoreAsync()
        => new(await Pgark.Repository.Repository.InitAsync(new MemoryStore(), new RepositoryInitOptions()), SystemId);

    /// <summary>A segment whose first page carries a long header naming its position, as PostgreSQL writes it.</summary>
    private static byte[] Segment(TimelineId timeline, ulong number, int length = SegmentSize)
    {
        var bytes = new byte[length];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0xD110);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(WalPageHeader.InfoOffset), WalPageHeader.LongHeaderFlag);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(WalPageHeader.TimelineOffset), timeline.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(WalPageHeader.PageAddressOffset), number * SegmentSize);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(WalPageHeader.SystemIdOffset), SystemId);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(WalPageHeader.SegmentSizeOffset), SegmentSize);
        new Random((int)number).NextBytes(bytes.AsSpan(64));
        return bytes;
    }

    [Fact]
    public async Task A_timeline_path_across_hex_timelines_without_gaps_is_healthy()
    {
        WalStore store = await NewStoreAsync();
        var t15 = new TimelineId(0x0F);
        var t16 = new TimelineId(0x10);
        for (ulong n = 1; n <= 3; n++)
            await store.PutSegmentAsync(t15, n, SegmentSize, Segment(t15, n), partial: false);
        await store.PutSegmentAsync(t15, 4, SegmentSize, Segment(t15, 4, 1000), partial: true);
        await store.PutHistoryAsync(t16, "15\t0/4000200\tno recovery target specified\n"u8.ToArray());
        await store.PutSegmentAsync(t16, 4, SegmentSize, Segment(t16, 4), partial: false);
        await store.PutSegmentAsync(t16, 5, SegmentSize, Segment(t16, 5, 5000), partial: true);

        WalArchiveStatus status = await WalArchiveStatus.ComputeAsync(store);

        Assert.Empty(status.Gaps);
        Assert.Equal(SystemId, status.SystemIdentifier);
        Assert.Equal([0x0Fu, 0x10u], status.Timelines.Select(t => t.Timeline.Value));
        Assert.Equal(("0000000F0000000000000001", "0000000F0000000000000004"), (status.Timelines[0].FirstSegment, status.Timelines[0].LastSegment));
        Assert.Equal("00000010.history", (await store.ListAsync(t16))[0].WalFileName);
        Assert.Equal(new Lsn(5UL * SegmentSize + 5000), status.NewestDurable);
        Assert.Equal(t16, status.NewestTimeline);
    }

    [Fact]
    public async Task Missing_segments_a_partial_in_the_middle_and_an_unlinked_timeline_are_gaps()
    {
        WalStore store = await NewStoreAsync();
        var t1 = new TimelineId(1);
        await store.PutSegmentAsync(t1, 1, SegmentSize, Segment(t1, 1), partial: false);
        await store.PutSegmentAsync(t1, 2, SegmentSize, Segment(t1, 2, 4096), partial: true);
        await store.PutSegmentAsync(t1, 3, SegmentSize, Segment(t1, 3), partial: false);
        await store.PutSegmentAsync(t1, 6, SegmentSize, Segment(t1, 6), partial: false);
        var t17 = new TimelineId(0x11);
        await store.PutSegmentAsync(t17, 8, SegmentSize, Segment(t17, 8), partial: false);

        WalArchiveStatus status = await WalArchiveStatus.ComputeAsync(store);

        Assert.Equal(
        [
            "1 0/201000 0/300000 000000010000000000000002 is only partial but later segments exist",
            "1 0/400000 0/600000 segments missing",
            "17 0/700000 0/800000 no history file links timeline 1 to 17",
        ], status.Gaps.Select(g => $"{g.Timeline} {g.From} {g.To} {g.Reason}"));
    }
}
