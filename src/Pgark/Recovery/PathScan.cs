using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// The archived WAL along one timeline path, segment by segment as recovery would restore it, from a first segment to
/// the first one missing. Decoded segments are cached, so a binary search followed by a linear scan reads each once.
/// </summary>
internal sealed class PathScan
{
    private readonly WalArchiveMap _map;
    private readonly TimelinePath _path;
    private readonly IWalMarkSource _wal;
    private readonly Dictionary<ulong, SegmentMarks> _decoded = [];

    public PathScan(WalArchiveMap map, TimelinePath path, IWalMarkSource wal, ulong firstSegment)
    {
        _map = map;
        _path = path;
        _wal = wal;
        First = firstSegment;
        (Last, MissingAfterLast) = FindContiguousEnd(firstSegment);
    }

    /// <summary>The first segment of the scan.</summary>
    public ulong First { get; }

    /// <summary>The last segment of the contiguous run from <see cref="First"/>; below First when even that one is missing.</summary>
    public ulong Last { get; }

    /// <summary>The file name of the segment after <see cref="Last"/> when WAL exists beyond it on the path (a gap), else null.</summary>
    public string? MissingAfterLast { get; }

    public int SegmentsDecoded => _decoded.Count;

    public bool IsEmpty => Last < First || (First == 0 && Last == ulong.MaxValue);

    /// <summary>Just past the last archived byte of the contiguous run.</summary>
    public Lsn End => IsEmpty ? Lsn.FromSegment(First, 0, _map.SegmentSize) : Segment(Last).End(_map.SegmentSize);

    public ArchivedSegment Segment(ulong number)
    {
        _map.TryFindSegment(_path.TimelineForSegment(number, _map.SegmentSize), number, out ArchivedSegment segment);
        return segment;
    }

    /// <summary>The marks of records starting in segment <paramref name="number"/> (which must lie in the run).</summary>
    public async Task<SegmentMarks> MarksAsync(ulong number, CancellationToken cancellationToken)
    {
        if (_decoded.TryGetValue(number, out SegmentMarks? marks))
            return marks;
        ArchivedSegment? next = number < Last ? Segment(number + 1) : null;
        marks = await _wal.ReadAsync(Segment(number), next, cancellationToken).ConfigureAwait(false);
        _decoded[number] = marks;
        return marks;
    }

    private (ulong Last, string? Missing) FindContiguousEnd(ulong first)
    {
        int size = _map.SegmentSize;
        ulong n = first;
        while (_map.TryFindSegment(_path.TimelineForSegment(n, size), n, out ArchivedSegment segment))
        {
            if (segment.IsPartial)
                return (n, LaterWalExists(n) ? Lsn.FromSegment(n, 0, size).WalFileName(segment.Timeline, size) + " (only partial)" : null);
            n++;
        }
        ulong last = n - 1; // wraps below first when the first segment is missing; IsEmpty covers it
        return (last, LaterWalExists(n - 1) ? Lsn.FromSegment(n, 0, size).WalFileName(_path.TimelineForSegment(n, size), size) : null);
    }

    // WAL on the path beyond segment n: some step's timeline holds a segment after n inside that step's range.
    private bool LaterWalExists(ulong n)
    {
        int size = _map.SegmentSize;
        foreach (TimelineStep step in _path.Steps)
        {
            if (_map.Timeline(step.Timeline) is not { } wal)
                continue;
            ulong stepLast = step.End == TimelinePath.Open ? ulong.MaxValue : (step.End - 1).SegmentNumber(size);
            if (wal.Segments.Any(s => s.SegmentNumber > n && s.SegmentNumber <= stepLast && s.SegmentNumber >= step.Begin.SegmentNumber(size)))
                return true;
        }
        return false;
    }
}
