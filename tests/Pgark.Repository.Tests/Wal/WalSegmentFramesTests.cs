using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;
using Pgark.Repository.Wal;

namespace Pgark.Repository.Tests.Wal;

/// <summary>
/// A segment built frame by frame (the streamer's way, never holding its plaintext) must be the same segment as one archived
/// whole: readers decode it to the same bytes, and its content id is the one wal push compares, so re-pushing the server's
/// copy of a streamed segment is a no-op.
/// </summary>
public sealed class WalSegmentFramesTests
{
    private const int SegmentSize = 16 * 1024 * 1024;
    private const ulong SystemId = 0x657AABA709C54B87;

    [Theory]
    [InlineData(null)]
    [InlineData("pw")]
    public async Task A_segment_built_from_frames_reads_back_like_one_archived_whole(string? passphrase)
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store, passphrase);
        byte[] segment = Segment();
        var frames = new WalSegmentFrames(repository, SegmentSize);
        var frameIds = new List<Ids.ChunkId>();
        for (var at = 0; at < SegmentSize; at += FormatConstants.WalFrameSize)
            frameIds.Add(await frames.AddAsync(segment.AsMemory(at, FormatConstants.WalFrameSize)));

        Assert.Equal(repository.Hasher.Compute(segment), frames.ContentId());
        Assert.Equal(repository.Hasher.Compute(segment.AsSpan(3 * FormatConstants.WalFrameSize, FormatConstants.WalFrameSize)), frameIds[3]);
        string piece = await repository.Wal.ArchiveFramePieceAsync(SystemId, 1, 7, frames, 3, frameIds[3]);
        string full = await repository.Wal.ArchiveSegmentFramesAsync(SystemId, 1, 7, frames);

        Assert.StartsWith("wal/657AABA709C54B87/000000010000000000000007.piece-00300000-00400000.", piece);
        Assert.StartsWith("wal/657AABA709C54B87/000000010000000000000007.full.", full);
        IReadOnlyList<WalObjectInfo> listed = await repository.Wal.ListAsync(1);
        Assert.Equal(segment, await repository.Wal.ReadAsync(listed.Single(o => o.Kind == WalKind.Full)));
        Assert.Equal(segment.AsSpan(3 * FormatConstants.WalFrameSize, FormatConstants.WalFrameSize).ToArray(),
            await repository.Wal.ReadAsync(listed.Single(o => o.Kind == WalKind.Piece)));
        // wal push of the same bytes finds the streamed object by its content id; different bytes conflict.
        Assert.Equal(full, await repository.Wal.ArchiveSegmentAsync(SystemId, 1, 7, SegmentSize, segment, partial: false));
        segment[^1] ^= 1;
        await Assert.ThrowsAsync<WalSegmentConflictException>(() => repository.Wal.ArchiveSegmentAsync(SystemId, 1, 7, SegmentSize, segment, partial: false));
        Assert.False((await repository.CheckAsync(readData: true)).HasErrors);
    }

    [Fact]
    public async Task The_frame_buffer_is_reused_and_a_segment_is_stored_only_when_every_frame_is_there()
    {
        var repository = await TestData.InitAsync(new MemoryStore());
        byte[] segment = Segment();
        var frames = new WalSegmentFrames(repository, SegmentSize);
        await frames.AddAsync(segment.AsMemory(0, FormatConstants.WalFrameSize));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => repository.Wal.ArchiveSegmentFramesAsync(SystemId, 1, 1, frames));
        Assert.StartsWith("a complete segment has 16777216 bytes, the frames hold 1048576", e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => frames.AddAsync(new byte[100]));

        frames.Clear();
        for (var at = 0; at < SegmentSize; at += FormatConstants.WalFrameSize)
            await frames.AddAsync(segment.AsMemory(at, FormatConstants.WalFrameSize));
        await Assert.ThrowsAsync<ArgumentException>(() => frames.AddAsync(segment.AsMemory(0, FormatConstants.WalFrameSize)));
        string full = await repository.Wal.ArchiveSegmentFramesAsync(SystemId, 1, 2, frames);
        Assert.Equal(segment, await repository.Wal.ReadAsync((await repository.Wal.ListAsync(1)).Single(o => o.FileName == full)));
    }

    /// <summary>WAL-like: compressible runs with incompressible frames among them (stored raw: flags 0).</summary>
    private static byte[] Segment()
    {
        var segment = new byte[SegmentSize];
        for (var i = 0; i < SegmentSize; i++)
            segment[i] = (byte)(i / 4096 % 7);
        TestData.Random(FormatConstants.WalFrameSize, 11).CopyTo(segment, 5 * FormatConstants.WalFrameSize);
        return segment;
    }
}
