using Pgark.Wire.Replication;

namespace Pgark.Wal;

public sealed partial class WalReceiver
{
    /// <summary>
    /// Parts of one merge level that are merged into one piece of the next level (spec §8.1): a segment in progress then has at
    /// most PiecesPerLevel − 1 parts per level, and each byte is rewritten once per level, about log8 of (segment / flush size).
    /// </summary>
    internal const int PiecesPerLevel = 8;

    /// <summary>
    /// The frame in progress is full: compresses it, then stores the segment when that was its last frame, or else the frame as one
    /// piece (replacing the smaller pieces flushed from it), so the receiver never holds more than one frame of plaintext.
    /// </summary>
    private async Task CompleteFrameAsync(CancellationToken cancellationToken)
    {
        await _segment!.AddFrameAsync().ConfigureAwait(false);
        if (_segment.IsComplete)
            await StoreFullSegmentAsync(cancellationToken).ConfigureAwait(false);
        else
            await StoreFramePieceAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores the frame <see cref="WalSegmentBuffer.AddFrameAsync"/> added last as one piece built from its compressed bytes, then
    /// deletes the pieces this run flushed from that frame (after the new piece is durable: overlapping parts, never a hole).
    /// A frame the resumed parts already cover whole needs nothing.
    /// </summary>
    private async Task StoreFramePieceAsync(CancellationToken cancellationToken)
    {
        WalSegmentBuffer segment = _segment!;
        int end = segment.FrameStart;
        int start = end - WalSegmentBuffer.FrameSize;
        List<(WalSegmentObject Part, int Level)> flushed = segment.Parts.Where(p => p.Level != WalSegmentBuffer.ResumedLevel && p.Part.Offset >= start).ToList();
        if (segment.Durable >= end && flushed.Count == 0)
            return;
        try
        {
            WalSegmentObject stored = await _store.PutFramePieceAsync(segment.Timeline, segment.SegmentNumber, segment.Frames, start / WalSegmentBuffer.FrameSize,
                segment.LastFrameId, cancellationToken).ConfigureAwait(false);
            Counters.PartialStored();
            segment.Parts.RemoveAll(flushed.Contains);
            segment.Parts.Add((stored, WalSegmentBuffer.ResumedLevel));
            segment.MarkDurable(Math.Max(segment.Durable, end));
            SetDurable(segment.DurableEnd);
            foreach ((WalSegmentObject part, _) in flushed)
                await _store.DeleteAsync(part, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRepositoryFailure(e))
        {
            throw RepositoryWriteFailed(e);
        }
        if (_options.CompactHeapAfterSegment)
            CollectYoungGenerations();
    }

    /// <summary>
    /// Once per frame when <see cref="WalReceiverOptions.CompactHeapAfterSegment"/>: a collection of the young generations. The
    /// workstation GC sizes its allocation budget from the CPU cache (tens of MiB on a server CPU), and a streamer's small
    /// per-flush garbage would fill all of it, resident, before the first collection; collected every MiB of WAL, the same few
    /// hundred KiB of memory is reused instead. A fraction of a millisecond with a live heap of a few MiB.
    /// </summary>
    private static void CollectYoungGenerations() => GC.Collect(1, GCCollectionMode.Forced, blocking: true, compacting: false);

    /// <summary>Stores the completed segment as a full object, drops its pieces and partials and moves on to the next segment.</summary>
    private async Task StoreFullSegmentAsync(CancellationToken cancellationToken)
    {
        WalSegmentBuffer segment = _segment!;
        try
        {
            await _store.PutSegmentFramesAsync(segment.Timeline, segment.SegmentNumber, segment.Frames, cancellationToken).ConfigureAwait(false);
            Counters.SegmentStored();
            foreach ((WalSegmentObject part, _) in segment.Parts)
                await _store.DeleteAsync(part, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRepositoryFailure(e))
        {
            throw RepositoryWriteFailed(e);
        }
        Lsn end = segment.ReceivedEnd;
        segment.Begin(segment.Timeline, segment.SegmentNumber + 1);
        SetDurable(end);
        if (_options.CompactHeapAfterSegment)
            CompactHeap();
    }

    /// <summary>
    /// Once per segment when <see cref="WalReceiverOptions.CompactHeapAfterSegment"/> (after the reply, off the lag): a compacting collection including the large object heap. A streamer's
    /// garbage is mostly frame- and flush-sized arrays on the large object heap, which the GC neither compacts nor gives back
    /// on its own; measured under pgbench, resident memory otherwise climbed from 52 to 150 MiB in a minute, the LOH regions
    /// holding ~60 MiB of free space. With a live heap of a few MiB this costs milliseconds per 16 MiB of WAL.
    /// </summary>
    private static void CompactHeap()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>
    /// Stores what arrived of the segment in progress since the last store as one piece (a no-op when nothing new arrived):
    /// a flush writes only the new bytes, so its cost does not grow with the segment.
    /// </summary>
    private async Task StorePartialAsync(CancellationToken cancellationToken)
    {
        WalSegmentBuffer segment = _segment!;
        // A frame compressed but not yet stored (an interruption between the two) is stored as its piece first.
        if (segment.Durable < segment.FrameStart)
            await StoreFramePieceAsync(cancellationToken).ConfigureAwait(false);
        if (!segment.HasUnstoredBytes)
            return;
        WalSegmentObject stored;
        try
        {
            stored = await _store.PutPieceAsync(segment.Timeline, segment.SegmentNumber, SegmentSize, segment.Durable,
                segment.Bytes(segment.Durable, segment.Received), cancellationToken).ConfigureAwait(false);
            Counters.PartialStored();
        }
        catch (Exception e) when (IsRepositoryFailure(e))
        {
            throw RepositoryWriteFailed(e);
        }
        segment.Parts.Add((stored, 0));
        segment.MarkDurable(segment.Received);
        SetDurable(segment.DurableEnd);
    }

    /// <summary>Stores the segment in progress, tells the server, then merges pieces if a level is full (after the reply, off its latency).</summary>
    private async Task StoreAndReportAsync(ReplicationStream stream, CancellationToken cancellationToken)
    {
        await StorePartialAsync(cancellationToken).ConfigureAwait(false);
        await SendStatusAsync(stream, cancellationToken).ConfigureAwait(false);
        await MergePiecesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// While the newest <see cref="PiecesPerLevel"/> parts share a level, replaces them by one piece of the next level, written
    /// from the segment buffer (no read of the old pieces) and stored before they are deleted, so a crash leaves overlapping
    /// parts, never a hole. Changes nothing readers see: the same bytes, in fewer objects.
    /// </summary>
    private async Task MergePiecesAsync(CancellationToken cancellationToken)
    {
        WalSegmentBuffer segment = _segment!;
        List<(WalSegmentObject Part, int Level)> parts = segment.Parts;
        while (parts.Count >= PiecesPerLevel && parts[^1].Level != WalSegmentBuffer.ResumedLevel
               && parts[^PiecesPerLevel].Level == parts[^1].Level)
        {
            int level = parts[^1].Level;
            List<WalSegmentObject> run = parts.GetRange(parts.Count - PiecesPerLevel, PiecesPerLevel).Select(p => p.Part).ToList();
            int start = run[0].Offset;
            int end = run[^1].Offset + (int)run[^1].ValidLength;
            try
            {
                WalSegmentObject merged = await _store.PutPieceAsync(segment.Timeline, segment.SegmentNumber, SegmentSize, start,
                    segment.Bytes(start, end), cancellationToken).ConfigureAwait(false);
                parts.RemoveRange(parts.Count - PiecesPerLevel, PiecesPerLevel);
                parts.Add((merged, level + 1));
                foreach (WalSegmentObject part in run)
                    await _store.DeleteAsync(part, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsRepositoryFailure(e))
            {
                throw RepositoryWriteFailed(e);
            }
        }
    }

    private static bool IsRepositoryFailure(Exception e) => e is IOException or UnauthorizedAccessException or Pgark.Repository.RepositoryStorageException;

    /// <summary>
    /// A repository that cannot take WAL (disk full, read-only, permissions) stops the streamer: unlike a lost connection
    /// it does not heal by reconnecting, and the durable position (what the server was told) stays where it was, so the
    /// slot keeps everything after it.
    /// </summary>
    private WalStreamException RepositoryWriteFailed(Exception e) => new(
        $"could not store WAL in the repository: {e.Message}; WAL before {DurableLsn} on timeline {_segment!.Timeline} is stored and nothing "
        + "after it was reported to the server as flushed",
        "free space in the repository (or fix its permissions) and start wal stream again: the slot kept the WAL it still needs",
        e, inRepository: true);

    /// <summary>Reports received and durable positions. "Flushed" is what the repository holds: the server may recycle WAL before it.</summary>
    private async ValueTask SendStatusAsync(ReplicationStream stream, CancellationToken cancellationToken)
    {
        await stream.SendStatusUpdateAsync(ReceivedLsn, DurableLsn, Lsn.Invalid, replyRequested: false, cancellationToken).ConfigureAwait(false);
        Counters.StatusSent();
    }
}
