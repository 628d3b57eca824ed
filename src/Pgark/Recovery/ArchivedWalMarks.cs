using Pgark.Repository.Format;
using Pgark.Wal;
using Pgark.Wal.Reader;
using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// Reads segments from the repository and decodes the transaction completions and restore points that start in them.
/// Memory: the segment and its successor (needed only for a record that crosses the boundary); the last two segments
/// read are kept because scans read neighbours in order.
/// </summary>
public sealed class ArchivedWalMarks(WalStore store, int segmentSize) : IWalMarkSource
{
    private (string Name, byte[] Bytes)? _previous, _last;

    /// <summary>Segments decoded so far (the planner's promise is to read only around the target).</summary>
    public int SegmentsRead { get; private set; }

    public async Task<SegmentMarks> ReadAsync(ArchivedSegment segment, ArchivedSegment? next, CancellationToken cancellationToken)
    {
        byte[] bytes = await LoadAsync(segment, cancellationToken).ConfigureAwait(false);
        var inputs = new List<WalSegmentInput> { WalSegmentInput.FromMemory(segment.FileName(segmentSize), bytes) };
        if (next is { } following && !segment.IsPartial)
            inputs.Add(WalSegmentInput.FromMemory(following.FileName(segmentSize), await LoadAsync(following, cancellationToken).ConfigureAwait(false)));
        SegmentsRead++;
        return Decode(inputs, segment.Start(segmentSize), segment.Start(segmentSize) + (ulong)segmentSize);
    }

    private static SegmentMarks Decode(List<WalSegmentInput> inputs, Lsn from, Lsn boundary)
    {
        var marks = new List<WalMark>();
        Lsn lastEnd = from;
        using var reader = new WalReader(inputs, new WalReaderOptions { StartLsn = from });
        try
        {
            while (reader.MoveNext() && reader.Current.StartLsn < boundary)
            {
                WalRecord record = reader.Current;
                lastEnd = record.EndLsn;
                if (Mark(record) is { } mark)
                    marks.Add(mark);
            }
        }
        catch (WalFormatException) when (marks.Count > 0 || lastEnd > from)
        {
            // The successor segment may be another timeline's continuation or damaged beyond the boundary; what this
            // segment holds was read, and the continuity proof decides whether replay can go further.
        }
        catch (WalFormatException e)
        {
            throw new RecoveryPlanException(RecoveryRefusal.DamagedArchive, $"the archived WAL cannot be read: {e.Message.ReplaceLineEndings(" ")}",
                "run pgark check --read-data on the repository; a damaged segment cannot be replayed either");
        }
        return new SegmentMarks(marks, lastEnd);
    }

    private static WalMark? Mark(WalRecord record)
    {
        if (record.Transaction is { } xact)
        {
            return new WalMark(xact.IsCommit ? WalMarkKind.Commit : WalMarkKind.Abort, record.StartLsn, record.EndLsn, xact.Xid,
                new DateTimeOffset(xact.Time, TimeSpan.Zero));
        }
        if (record.RestorePoint is { } point)
            return new WalMark(WalMarkKind.RestorePoint, record.StartLsn, record.EndLsn, 0, new DateTimeOffset(point.Time, TimeSpan.Zero), point.Name);
        return null;
    }

    private async Task<byte[]> LoadAsync(ArchivedSegment segment, CancellationToken cancellationToken)
    {
        if (_last is { } last && last.Name == segment.ObjectName)
            return last.Bytes;
        if (_previous is { } previous && previous.Name == segment.ObjectName)
            return previous.Bytes;
        var described = new WalSegmentObject(segment.ObjectName, segment.FileName(segmentSize), segment.IsPartial ? WalKind.Partial : WalKind.Full,
            segment.Timeline, segment.SegmentNumber, segment.ValidLength, -1);
        byte[] bytes = await store.ReadAsync(described, cancellationToken).ConfigureAwait(false);
        _previous = _last;
        _last = (segment.ObjectName, bytes);
        return bytes;
    }
}
