using Pgark.Wire.Replication;

namespace Pgark.Wal;

public sealed partial class WalReceiver
{
    /// <summary>Stores the completed segment as a full object, drops its partials and moves on to the next segment.</summary>
    private async Task StoreFullSegmentAsync(CancellationToken cancellationToken)
    {
        WalSegmentBuffer segment = _segment!;
        await _store.PutSegmentAsync(segment.Timeline, segment.SegmentNumber, SegmentSize, segment.ReceivedBytes, partial: false, cancellationToken)
            .ConfigureAwait(false);
        Counters.SegmentStored();
        Lsn end = segment.ReceivedEnd;
        foreach (WalSegmentObject partial in segment.StoredPartials)
            await _store.DeleteAsync(partial, cancellationToken).ConfigureAwait(false);
        segment.Begin(segment.Timeline, segment.SegmentNumber + 1);
        SetDurable(end);
    }

    /// <summary>Stores what arrived of the segment in progress as a partial object (a no-op when nothing new arrived).</summary>
    private async Task StorePartialAsync(CancellationToken cancellationToken)
    {
        WalSegmentBuffer segment = _segment!;
        if (!segment.HasUnstoredBytes)
            return;
        WalSegmentObject stored = await _store.PutSegmentAsync(segment.Timeline, segment.SegmentNumber, SegmentSize, segment.ReceivedBytes,
            partial: true, cancellationToken).ConfigureAwait(false);
        Counters.PartialStored();
        // The longer partial is durable: the shorter ones it extends are redundant (the spec lets readers take the longest).
        foreach (WalSegmentObject older in segment.StoredPartials)
            await _store.DeleteAsync(older, cancellationToken).ConfigureAwait(false);
        segment.StoredPartials.Clear();
        segment.StoredPartials.Add(stored);
        segment.MarkDurable(segment.Received);
        SetDurable(segment.DurableEnd);
    }

    /// <summary>Reports received and durable positions. "Flushed" is what the repository holds: the server may recycle WAL before it.</summary>
    private async ValueTask SendStatusAsync(ReplicationStream stream, CancellationToken cancellationToken)
    {
        await stream.SendStatusUpdateAsync(ReceivedLsn, DurableLsn, Lsn.Invalid, replyRequested: false, cancellationToken).ConfigureAwait(false);
        Counters.StatusSent();
    }
}
