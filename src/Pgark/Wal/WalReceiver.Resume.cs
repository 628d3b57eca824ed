using Pgark.Repository.Format;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

public sealed partial class WalReceiver
{
    /// <summary>
    /// Picks the first byte to receive: right after the newest durable WAL the repository holds for this cluster,
    /// else the slot's restart position, else the server's current position (both rounded down to a segment start,
    /// so every segment pgark stores is whole from its first byte).
    /// </summary>
    private async Task ChooseStartAsync(IdentifySystemResult identity, CancellationToken cancellationToken)
    {
        _segment = new WalSegmentBuffer(_store.Repository, SegmentSize);
        if (await ResumeFromArchiveAsync(cancellationToken).ConfigureAwait(false))
        {
            // A caller that needs WAL from a given point on (a backup's start) skips what the archive lacks before it.
            if (_options.StartLsn is not { } needed || _segment.ReceivedEnd >= needed.SegmentStart(SegmentSize))
                return;
            Log($"the archive ends at {_segment.ReceivedEnd}, before the requested start {needed}: starting there");
        }

        (Lsn lsn, TimelineId timeline) = _options.StartLsn is { } explicitStart ? (explicitStart, identity.Timeline)
            : _slotRestart ?? (identity.XLogPosition, identity.Timeline);
        Begin(timeline, lsn.SegmentNumber(SegmentSize));
        Log($"archive holds no WAL of system {SystemIdentifier}: starting at {_segment.Start} on timeline {timeline}");
    }

    private async Task<bool> ResumeFromArchiveAsync(CancellationToken cancellationToken)
    {
        List<WalSegmentObject> objects = await _store.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        WalSegmentObject? newestSegment = objects.LastOrDefault(o => o.IsSegment);
        WalSegmentObject? newestHistory = objects.LastOrDefault(o => o.Kind == WalKind.History);
        if (newestSegment is null)
            return false;
        await CheckSameSystemAsync(objects, newestSegment.Timeline, cancellationToken).ConfigureAwait(false);

        if (newestHistory is not null && newestHistory.Timeline > newestSegment.Timeline)
        {
            // A timeline switch was recorded but nothing of the new timeline stored yet: start it at the segment of its switch point.
            byte[] history = await _store.ReadAsync(newestHistory, cancellationToken).ConfigureAwait(false);
            Lsn switchPoint = TimelineHistory.Parse(history)[^1].SwitchPoint;
            Begin(newestHistory.Timeline, switchPoint.SegmentNumber(SegmentSize));
            Log($"resuming on timeline {newestHistory.Timeline} at {_segment!.Start} (switch point {switchPoint})");
            return true;
        }

        List<WalSegmentObject> lastSegment = objects.Where(o => o.IsSegment && o.Timeline == newestSegment.Timeline
            && o.SegmentNumber == newestSegment.SegmentNumber).ToList();
        WalSegmentObject? partial = lastSegment.FirstOrDefault(o => o.Kind == WalKind.Partial);
        if (lastSegment.Any(o => o.Kind == WalKind.Full))
        {
            Begin(newestSegment.Timeline, newestSegment.SegmentNumber + 1);
            // Pieces and partials a crash left behind next to the complete segment are now superseded.
            if (partial is not null)
                await _store.DeleteAsync(partial, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // The pieces and partials a previous run stored: continue after the longest prefix they hold (spec §8.1).
            byte[] content = await _store.ReadAsync(partial!, cancellationToken).ConfigureAwait(false);
            Begin(newestSegment.Timeline, newestSegment.SegmentNumber);
            await _segment!.LoadStoredAsync(content, partial!.Parts).ConfigureAwait(false);
            SetDurable(_segment.DurableEnd);
            await MergeResumedPartsAsync(content, cancellationToken).ConfigureAwait(false);
        }
        Log($"resuming from the archive at {_segment!.ReceivedEnd} on timeline {_segment.Timeline}");
        return true;
    }

    /// <summary>Refuses to append one cluster's WAL to another's: the first page of a stored segment names its system.</summary>
    private async Task CheckSameSystemAsync(List<WalSegmentObject> objects, TimelineId timeline, CancellationToken cancellationToken)
    {
        WalSegmentObject? sample = objects.LastOrDefault(o => o.IsSegment && o.Timeline == timeline && o.ValidLength >= WalPageHeader.LongHeaderSize);
        if (sample is null)
            return;
        byte[] content = await _store.ReadAsync(sample, cancellationToken).ConfigureAwait(false);
        if (WalPageHeader.TryReadSystemIdentifier(content) is { } stored && stored != SystemIdentifier)
        {
            throw new WalStreamException(
                $"the repository files WAL of system {stored} ({sample.WalFileName}) under the directory of system {SystemIdentifier}, the server's",
                "the archive is damaged (misfiled WAL): run pgark check --read-data on the repository", inRepository: true);
        }
    }

    /// <summary>
    /// Parts found in the archive are never merged with new pieces (their levels are unknown), so a streamer restarted many
    /// times within one segment would pile them up: more than <see cref="PiecesPerLevel"/> become one piece of the prefix first.
    /// </summary>
    private async Task MergeResumedPartsAsync(byte[] prefix, CancellationToken cancellationToken)
    {
        WalSegmentBuffer segment = _segment!;
        if (segment.Parts.Count <= PiecesPerLevel || segment.Durable == 0)
            return;
        WalSegmentObject merged = await _store.PutPieceAsync(segment.Timeline, segment.SegmentNumber, SegmentSize, 0, prefix.AsMemory(0, segment.Durable),
            cancellationToken).ConfigureAwait(false);
        foreach ((WalSegmentObject part, _) in segment.Parts)
            await _store.DeleteAsync(part, cancellationToken).ConfigureAwait(false);
        segment.Parts.Clear();
        segment.Parts.Add((merged, WalSegmentBuffer.ResumedLevel));
    }

    private void Begin(TimelineId timeline, ulong segmentNumber)
    {
        _segment!.Begin(timeline, segmentNumber);
        Timeline = timeline;
        SetDurable(_segment.Start);
        Volatile.Write(ref _receivedLsn, (long)_segment.Start.Value);
    }

    private void SetDurable(Lsn lsn)
    {
        if (lsn.Value <= (ulong)Volatile.Read(ref _durableLsn))
            return;
        Volatile.Write(ref _durableLsn, (long)lsn.Value);
        DurableAdvanced?.Invoke(lsn);
    }
}
