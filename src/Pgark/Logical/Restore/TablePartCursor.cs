namespace Pgark.Logical.Restore;

/// <summary>
/// Which bytes of each piece of a table's COPY text one part hashes and which it sends (<see cref="TableParts"/>): it hashes
/// exactly [<c>hashStart</c>, <c>hashEnd</c>) and sends whole rows, from just after the first newline at or beyond
/// <c>hashStart</c> (from 0 for the first part) to the first newline at or beyond <c>hashEnd</c> (to the end for the last),
/// so consecutive parts send consecutive rows, every row once. Fed the pieces in order from the one holding
/// <c>hashStart</c>; <see cref="Done"/> once nothing further belongs to the part.
/// </summary>
internal struct TablePartCursor
{
    private readonly long _hashStart;
    private readonly long _hashEnd;
    private readonly long _total;
    private long? _sendFrom;
    private long? _sendEnd;
    private long _position;

    public TablePartCursor(long hashStart, long hashEnd, long total, long firstPieceStart, bool isFirst, bool isLast)
    {
        _hashStart = hashStart;
        _hashEnd = hashEnd;
        _total = total;
        _sendFrom = isFirst ? 0 : null;
        _sendEnd = isLast ? total : null;
        _position = firstPieceStart;
    }

    /// <summary>Where the bytes this part sends start; the end of the text when it never found its first row.</summary>
    public readonly long SentStart => _sendFrom ?? _total;

    /// <summary>Where the bytes this part sends end (the end of the text when it never found its last row's newline).</summary>
    public readonly long SentEnd => _sendEnd ?? _total;

    /// <summary>Nothing after the pieces seen so far belongs to this part.</summary>
    public readonly bool Done => _sendEnd is long end && _position >= end && _position >= _hashEnd;

    /// <summary>The next piece (it starts where the previous one ended): the ranges of it to hash and to send.</summary>
    public (Range Hash, Range Send) Next(ReadOnlySpan<byte> piece)
    {
        long start = _position, end = start + piece.Length;
        Range hash = default;
        if (_hashStart < end && start < _hashEnd)
            hash = new Range((int)(Math.Max(_hashStart, start) - start), (int)(Math.Min(_hashEnd, end) - start));
        _sendFrom ??= RowStartAtOrAfter(piece, start, _hashStart);
        if (_sendEnd is null && end > _hashEnd)
            _sendEnd = RowStartAtOrAfter(piece, start, _hashEnd);
        Range send = default;
        if (_sendFrom is long from)
        {
            long sendStart = Math.Max(from, start), sendStop = Math.Min(_sendEnd ?? end, end);
            if (sendStop > sendStart)
                send = new Range((int)(sendStart - start), (int)(sendStop - start));
        }
        _position = end;
        return (hash, send);
    }

    /// <summary>The offset just after the first newline at or beyond <paramref name="boundary"/> in this piece, if there is one.</summary>
    private static long? RowStartAtOrAfter(ReadOnlySpan<byte> piece, long pieceStart, long boundary)
    {
        long from = Math.Max(boundary, pieceStart);
        if (from >= pieceStart + piece.Length)
            return null;
        int newline = piece[(int)(from - pieceStart)..].IndexOf((byte)'\n');
        return newline < 0 ? null : from + newline + 1;
    }
}
