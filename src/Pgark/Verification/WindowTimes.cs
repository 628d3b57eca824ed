using Pgark.Recovery;
using Pgark.Wal;
using Pgark.Wal.Reader;
using Pgark.Wire.Replication;

namespace Pgark.Verification;

/// <summary>
/// The time a PITR window reaches: the commit time of the last transaction in the window's last archived segment (the
/// latest moment a time target can name and still find its WAL). Null when that segment holds no commit, or cannot be decoded.
/// </summary>
internal static class WindowTimes
{
    public static async Task<DateTimeOffset?> LastCommitAsync(WalStore store, WalArchiveMap map, PitrWindow window, CancellationToken cancellationToken)
    {
        var size = map.SegmentSize;
        var n = (window.To - 1).SegmentNumber(size);
        var path = map.PathTo(window.Timeline);
        var timeline = path?.TimelineForSegment(n, size) ?? window.Timeline;
        if (!map.TryFindSegment(timeline, n, out var segment))
            return null;
        var stored = new WalSegmentObject(segment.ObjectName, segment.FileName(size),
            segment.IsPartial ? Repository.Format.WalKind.Partial : Repository.Format.WalKind.Full, timeline, n, segment.ValidLength, 0);
        var bytes = await store.ReadAsync(stored, cancellationToken).ConfigureAwait(false);
        DateTimeOffset? last = null;
        try
        {
            using var reader = new WalReader([WalSegmentInput.FromMemory(segment.FileName(size), bytes)],
                new WalReaderOptions { StartLsn = Lsn.FromSegment(n, 0, size) });
            foreach (var record in reader.Records())
            {
                if (record.StartLsn >= window.To)
                    break;
                if (record.Transaction is { IsCommit: true } commit)
                    last = new DateTimeOffset(DateTime.SpecifyKind(commit.Time, DateTimeKind.Utc));
            }
        }
        catch (WalFormatException)
        {
            // Damage or the zero tail of a partial segment ends the scan; what was read still counts.
        }
        return last;
    }
}
