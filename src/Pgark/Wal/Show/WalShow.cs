using Pgark.Repository.Format;
using Pgark.Wal.Reader;
using Pgark.Wire.Replication;

namespace Pgark.Wal.Show;

/// <summary>
/// <c>pgark wal show</c>: the transactions that ended in a time window or an LSN range, with the relations they changed,
/// read from the archive's WAL objects. Only the segments around the request are read (spec/wal-show.md):
/// <code>
/// WalShow show = await WalShow.PlanAsync(store, new WalShowRequest { Around = t, Window = TimeSpan.FromMinutes(5) });
/// foreach (WalShowTransaction tx in show.Transactions()) { ... }   // streams; then show.ReadTo, show.Records, …
/// </code>
/// </summary>
public sealed class WalShow
{
    private readonly WalStore _store;
    private readonly WalShowRequest _request;
    private readonly int _first;
    private readonly int _last;

    private WalShow(WalStore store, WalShowRequest request, WalShowSegments archive, int first, int last, int probes)
    {
        _store = store;
        _request = request;
        Archive = archive;
        _first = first;
        _last = last;
        Probes = probes;
        ReadFrom = request.From ?? Lsn.FromSegment(archive.Segments[first].SegmentNumber, 0, archive.SegmentSize);
        ReadTo = ReadFrom;
        if (request.Around is { } around)
        {
            WindowStart = (around - request.Window).UtcDateTime;
            WindowEnd = (around + request.Window).UtcDateTime;
        }
    }

    public WalShowSegments Archive { get; }

    /// <summary>Segments that will be read, in order (the first and last may be read only in part).</summary>
    public IEnumerable<WalSegmentObject> Segments => Archive.Segments.Skip(_first).Take(_last - _first + 1);

    /// <summary>Where reading starts: the range's From, or the start of the segment the time search chose (minus lead-in).</summary>
    public Lsn ReadFrom { get; }

    public DateTime? WindowStart { get; }

    public DateTime? WindowEnd { get; }

    /// <summary>Segments read one by one by the time search.</summary>
    public int Probes { get; }

    // Known once Transactions() has been enumerated to the end.

    /// <summary>Just past the last record read.</summary>
    public Lsn ReadTo { get; private set; }

    public long Records { get; private set; }

    public int SegmentsRead { get; private set; }

    /// <summary>The time of the last transaction end read (listed or not): where the archive's WAL stands in time.</summary>
    public DateTime? LastCompletionTime { get; private set; }

    /// <summary>Open transactions dropped at the memory limit (their changes are missing from the listing).</summary>
    public long EvictedTransactions { get; private set; }

    /// <summary>Reading stopped because the archive has no more WAL on this timeline (or a gap follows).</summary>
    public bool ReachedEndOfArchive { get; private set; }

    /// <summary>Chooses the segments to read: by LSN directly, by time with a binary search over segments.</summary>
    public static async Task<WalShow> PlanAsync(WalStore store, WalShowRequest request, CancellationToken cancellationToken = default)
    {
        request.Validate();
        WalShowSegments archive = await WalShowSegments.ForTimelineAsync(store, request.Timeline, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<WalSegmentObject> segments = archive.Segments;
        if (request.From is { } from)
        {
            int first = archive.IndexAtOrAfter(from);
            if (first == segments.Count || segments[first].SegmentNumber != from.SegmentNumber(archive.SegmentSize))
                throw NotArchived(from, archive);
            int last = RunEnd(archive, first);
            if (request.To is { } to)
            {
                // An explicit range must be archived whole: a gap inside it is an error naming the missing segment.
                ulong lastNumber = (to - 1).SegmentNumber(archive.SegmentSize);
                last = first;
                while (last + 1 < segments.Count && segments[last + 1].SegmentNumber <= lastNumber)
                    last++;
                archive.Contiguous(first, last);
            }
            return new WalShow(store, request, archive, first, last, probes: 0);
        }

        // By time: the last segment whose first commit is at or before the window's start, then a little lead-in.
        DateTime searchFor = (request.Around!.Value - request.Window - request.Slack).UtcDateTime;
        (int found, int probes) = await WalShowLocator.LocateAsync(store, segments, 0, segments.Count - 1, searchFor, cancellationToken)
            .ConfigureAwait(false);
        int start = found;
        for (int i = 0; i < request.LeadInSegments && start > 0 && segments[start - 1].SegmentNumber + 1 == segments[start].SegmentNumber
             && segments[start - 1].Kind == WalKind.Full; i++)
            start--;
        return new WalShow(store, request, archive, start, RunEnd(archive, start), probes);
    }

    /// <summary>
    /// Reads the chosen segments and yields each transaction end that the request selects, in WAL order. Streams: memory
    /// stays bounded by the request's limits whatever the window holds.
    /// </summary>
    public IEnumerable<WalShowTransaction> Transactions(CancellationToken cancellationToken = default)
    {
        var source = new WalShowSegmentSource(_store, [.. Segments], cancellationToken);
        var changes = new WalShowChanges(_request.MaxOpenTransactions, _request.MaxRelationsPerTransaction);
        using var reader = new WalReader(source.Inputs(), new WalReaderOptions { StartLsn = _request.From ?? Lsn.Invalid });
        DateTime? stopAfter = WindowEnd + _request.Slack;
        bool stopped = false;
        while (!stopped && Next(reader, source))
        {
            cancellationToken.ThrowIfCancellationRequested();
            WalRecord record = reader.Current;
            if (_request.To is { } to && record.StartLsn >= to)
                break;
            Records++;
            ReadTo = record.EndLsn;
            if (record.Transaction is not { } completion)
            {
                changes.Add(record);
                continue;
            }
            WalShowTransaction transaction = changes.Complete(record, completion);
            LastCompletionTime = completion.Time;
            if (WindowStart is null || (completion.Time >= WindowStart && completion.Time <= WindowEnd))
                yield return transaction;
            stopped = completion.Time > stopAfter;
        }
        SegmentsRead = source.Loaded;
        EvictedTransactions = changes.Evicted;
    }

    /// <summary>MoveNext, except that a partial segment ending inside a record is the end of the archive, not damage.</summary>
    private bool Next(WalReader reader, WalShowSegmentSource source)
    {
        try
        {
            if (reader.MoveNext())
                return true;
        }
        catch (WalFormatException e) when (e.Kind == WalErrorKind.Truncated && source.Loaded == _last - _first + 1
                                           && Archive.Segments[_last].Kind == WalKind.Partial)
        {
            // The streamer persists what it received, which may end inside a record: the rest was never archived.
        }
        ReachedEndOfArchive = _request.To is null || ReadTo < _request.To;
        return false;
    }

    /// <summary>The last index of the unbroken run of WAL starting at <paramref name="first"/> (a partial ends a run).</summary>
    private static int RunEnd(WalShowSegments archive, int first)
    {
        IReadOnlyList<WalSegmentObject> segments = archive.Segments;
        int last = first;
        while (last + 1 < segments.Count && segments[last].Kind == WalKind.Full && segments[last + 1].SegmentNumber == segments[last].SegmentNumber + 1)
            last++;
        return last;
    }

    private static WalShowException NotArchived(Lsn lsn, WalShowSegments archive)
    {
        WalSegmentObject first = archive.Segments[0], last = archive.Segments[^1];
        return new WalShowException(
            $"the archive holds no WAL at {lsn} on timeline {archive.Timeline.Value} (it has {first.WalFileName} .. {last.WalFileName})",
            "give --from inside the archived range; pgark status lists it");
    }
}
