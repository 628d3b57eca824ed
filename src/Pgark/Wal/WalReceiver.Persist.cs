using Pgark.Wire.Replication;

namespace Pgark.Wal;

public sealed partial class WalReceiver
{
    /// <summary>Stores the completed segment as a full object, drops its partials and moves on to the next segment.</summary>
    private async Task StoreFullSegmentAsync(CancellationToken cancellationToken)
    {
        WalSegmentBuffer segment = _segment!;
        try
        {
            await _store.PutSegmentAsync(segment.Timeline, segment.SegmentNumber, SegmentSize, segment.ReceivedBytes, partial: false, cancellationToken)
                .ConfigureAwait(false);
            Counters.SegmentStored();
            foreach (WalSegmentObject partial in segment.StoredPartials)
                await _store.DeleteAsync(partial, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Pgark.Repository.RepositoryStorageException)
        {
            throw RepositoryWriteFailed(e);
        }
        Lsn end = segment.ReceivedEnd;
        segment.Begin(segment.Timeline, segment.SegmentNumber + 1);
        SetDurable(end);
    }

    /// <summary>Stores what arrived of the segment in progress as a partial object (a no-op when nothing new arrived).</summary>
    private async Task StorePartialAsync(CancellationToken cancellationToken)
    {
        WalSegmentBuffer segment = _segment!;
        if (!segment.HasUnstoredBytes)
            return;
        WalSegmentObject stored;
        try
        {
            stored = await _store.PutSegmentAsync(segment.Timeline, segment.SegmentNumber, SegmentSize, segment.ReceivedBytes,
                partial: true, cancellationToken).ConfigureAwait(false);
            Counters.PartialStored();
            // The longer partial is durable: the shorter ones it extends are redundant (the spec lets readers take the longest).
            foreach (WalSegmentObject older in segment.StoredPartials)
                await _store.DeleteAsync(older, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Pgark.Repository.RepositoryStorageException)
        {
            throw RepositoryWriteFailed(e);
        }
        segment.StoredPartials.Clear();
        segment.StoredPartials.Add(stored);
        segment.MarkDurable(segment.Received);
        SetDurable(segment.DurableEnd);
    }

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
