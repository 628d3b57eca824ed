using Pgark.Repository;
using Pgark.Repository.Codecs;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

public sealed partial class WalStore
{
    /// <summary>
    /// Stores a complete or partial segment and reads it back: only when the stored object decodes to exactly
    /// <paramref name="content"/> does the caller count those bytes as durable (and may acknowledge them).
    /// </summary>
    public async Task<WalSegmentObject> PutSegmentAsync(TimelineId timeline, ulong segmentNumber, int segmentSize, ReadOnlyMemory<byte> content,
        bool partial, CancellationToken cancellationToken = default)
    {
        string name = await Archive.ArchiveSegmentAsync(_systemIdentifier, timeline.Value, segmentNumber, segmentSize, content, partial, cancellationToken)
            .ConfigureAwait(false);
        var stored = new WalSegmentObject(name, WalFileName.Segment(timeline, segmentNumber, segmentSize), partial ? WalKind.Partial : WalKind.Full,
            timeline, segmentNumber, content.Length, -1);
        await VerifyStoredAsync(stored, content.Length, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>
    /// Stores bytes [<paramref name="offset"/>, offset + length) of a segment in progress as a piece and reads it back: the
    /// append-only way to persist a segment as it arrives (spec §8.1), so each flush writes only what is new.
    /// </summary>
    public async Task<WalSegmentObject> PutPieceAsync(TimelineId timeline, ulong segmentNumber, int segmentSize, int offset,
        ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        string name = await Archive.ArchivePieceAsync(_systemIdentifier, timeline.Value, segmentNumber, segmentSize, offset, content, cancellationToken)
            .ConfigureAwait(false);
        var stored = new WalSegmentObject(name, WalFileName.Segment(timeline, segmentNumber, segmentSize), WalKind.Piece, timeline, segmentNumber,
            content.Length, -1) { Offset = offset };
        await VerifyStoredAsync(stored, content.Length, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>
    /// Stores a complete segment from its compressed frames (the streamer's way: it never holds the segment's plaintext) and reads
    /// it back, like <see cref="PutSegmentAsync"/>.
    /// </summary>
    public async Task<WalSegmentObject> PutSegmentFramesAsync(TimelineId timeline, ulong segmentNumber, WalSegmentFrames frames,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        string name = await Archive.ArchiveSegmentFramesAsync(SystemIdentifier, timeline.Value, segmentNumber, frames, cancellationToken).ConfigureAwait(false);
        var stored = new WalSegmentObject(name, WalFileName.Segment(timeline, segmentNumber, frames.SegmentSize), WalKind.Full, timeline, segmentNumber,
            frames.SegmentSize, -1);
        await VerifyStoredAsync(stored, frames.SegmentSize, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>
    /// Stores frame <paramref name="frameIndex"/> of a segment in progress as the piece holding exactly that frame, built from its
    /// compressed bytes, and reads it back (spec §8.1). <paramref name="frameId"/> is the frame's chunk id.
    /// </summary>
    public async Task<WalSegmentObject> PutFramePieceAsync(TimelineId timeline, ulong segmentNumber, WalSegmentFrames frames, int frameIndex,
        ChunkId frameId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        string name = await Archive.ArchiveFramePieceAsync(SystemIdentifier, timeline.Value, segmentNumber, frames, frameIndex, frameId, cancellationToken)
            .ConfigureAwait(false);
        var stored = new WalSegmentObject(name, WalFileName.Segment(timeline, segmentNumber, frames.SegmentSize), WalKind.Piece, timeline, segmentNumber,
            FormatConstants.WalFrameSize, -1) { Offset = frameIndex * FormatConstants.WalFrameSize };
        await VerifyStoredAsync(stored, FormatConstants.WalFrameSize, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>Stores a timeline history file unless the same bytes are already stored; different bytes are a conflict.</summary>
    public async Task<WalSegmentObject> PutHistoryAsync(TimelineId timeline, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        foreach (WalSegmentObject existing in await ListAsync(timeline, cancellationToken).ConfigureAwait(false))
        {
            if (existing.Kind != WalKind.History)
                continue;
            byte[] stored = await ReadAsync(existing, cancellationToken).ConfigureAwait(false);
            if (stored.AsSpan().SequenceEqual(content.Span))
                return existing;
            throw new WalConflictException(WalFileName.History(timeline), existing.ObjectName);
        }
        string name = await Archive.ArchiveHistoryAsync(_systemIdentifier, timeline.Value, content, cancellationToken).ConfigureAwait(false);
        var history = new WalSegmentObject(name, WalFileName.History(timeline), WalKind.History, timeline, 0, content.Length, -1);
        await VerifyStoredAsync(history, content.Length, cancellationToken).ConfigureAwait(false);
        return history;
    }

    /// <summary>
    /// Removes an object superseded by a merged piece or by the complete segment (only WAL the caller itself replaced); for a
    /// partial segment as <see cref="ListAsync"/> assembles it, every one of its parts.
    /// </summary>
    public async Task DeleteAsync(WalSegmentObject segment, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> names = segment.Parts.Count == 0 ? [segment.ObjectName] : segment.Parts.Select(p => p.ObjectName).ToList();
        foreach (string name in await Archive.WithoutLegacyAnchorAsync(names, cancellationToken).ConfigureAwait(false))
            await _repository.Store.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
    }

    // Read back after the store's fsync: a put that "succeeded" onto a failing disk or a buggy store must not be
    // acknowledged to the server, which would then recycle WAL that exists nowhere else. The archive decoded the
    // encoded object against the content before publishing it (verify before publish), so the stored bytes hashing to
    // the object's file id proves the stored object holds exactly this content, without decompressing it again.
    private async Task VerifyStoredAsync(WalSegmentObject stored, int contentLength, CancellationToken cancellationToken)
    {
        // Hashed as it is read, through one buffer this store keeps: a full segment's object read whole would be another large
        // array, and a pooled one would stay cached on whichever thread-pool thread the read resumed on, one per thread.
        var hasher = new Blake3Hasher();
        byte[] buffer = Interlocked.Exchange(ref _readBackBuffer, null) ?? GC.AllocateUninitializedArray<byte>(ReadBackBufferSize, pinned: true);
        try
        {
            long at = 0;
            int read;
            while ((read = await _repository.Store.ReadAsync(stored.ObjectName, at, buffer.AsMemory(0, ReadBackBufferSize), cancellationToken)
                       .ConfigureAwait(false)) > 0)
            {
                hasher.Update(buffer.AsSpan(0, read));
                at += read;
            }
        }
        finally
        {
            Volatile.Write(ref _readBackBuffer, buffer);
        }
        Span<byte> digest = stackalloc byte[ChunkId.Size];
        hasher.Finalize(digest);
        if (new ChunkId(digest) != ChunkId.Parse(stored.ObjectName[^(2 * ChunkId.Size)..]))
        {
            throw new RepositoryCorruptionException(CorruptionCause.StorageDamage, stored.ObjectName, null,
                $"WAL {stored.WalFileName} ({contentLength} bytes) read back after storing does not hash to its name");
        }
    }

    // 256 KiB: a 5 MiB Full object is read back in 20 reads from the page cache (microseconds each), and a long-running streamer's
    // resident memory holds 0.75 MiB less than with a frame-sized buffer.
    private const int ReadBackBufferSize = 256 << 10;

    private byte[]? _readBackBuffer;
}
