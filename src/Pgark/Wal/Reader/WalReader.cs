using System.Buffers;
using System.Buffers.Binary;
using Pgark.Wire.Replication;

namespace Pgark.Wal.Reader;

/// <summary>
/// Reads PostgreSQL 13-18 WAL from consecutive segments and yields decoded records, without a server. Checks every
/// page header, record header, xl_prev link and CRC the way PostgreSQL's xlogreader.c does, and throws
/// <see cref="WalFormatException"/> (naming segment file and byte offset) for anything it cannot trust.
/// </summary>
/// <remarks>
/// Memory: one WAL page plus one record buffer that grows to the largest record seen, capped by
/// <see cref="WalReaderOptions.MaxRecordSize"/>. End of WAL (end of input at a record boundary, a zeroed page, or a
/// zero xl_tot_len) ends the iteration normally; <see cref="EndOfWal"/> then says where.
/// <code>
/// using var reader = new WalReader(files.Select(WalSegmentInput.FromFile));
/// while (reader.MoveNext()) { WalRecord r = reader.Current; ... }
/// </code>
/// </remarks>
public sealed partial class WalReader : IDisposable
{
    private const int InitialBufferSize = 64 << 10;

    private readonly WalPageReader _pages;
    private readonly WalReaderOptions _options;
    private readonly WalRecord _record = new();
    private byte[] _buffer;
    private ulong _nextLsn;
    private ulong _prevLsn;
    private bool _started;
    private bool _ended;
    private bool _afterSwitch;

    public WalReader(IEnumerable<WalSegmentInput> segments, WalReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(segments);
        _options = options ?? new WalReaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxRecordSize, XLogRecordLayout.HeaderSize);
        _pages = new WalPageReader(segments);
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, _options.MaxRecordSize));
        _record.Attach(_buffer);
    }

    /// <summary>The record produced by the last successful <see cref="MoveNext"/>; reused, see <see cref="WalRecord"/>.</summary>
    public WalRecord Current => _record;

    /// <summary>The release that wrote the WAL (known after the first <see cref="MoveNext"/>).</summary>
    public WalVersion? Version => _pages.Version;

    /// <summary>wal_segment_size from the first long page header.</summary>
    public int SegmentSize => _pages.SegmentSize;

    /// <summary>XLOG_BLCKSZ from the first long page header.</summary>
    public int PageSize => _pages.PageSize;

    /// <summary>The cluster's system identifier from the first long page header.</summary>
    public ulong SystemId => _pages.SystemId;

    /// <summary>After <see cref="MoveNext"/> returned false: where the next record would have started.</summary>
    public Lsn EndOfWal { get; private set; }

    /// <summary>
    /// Reads the next record; false at the end of WAL. Throws <see cref="WalFormatException"/> on bad WAL, after which
    /// the reader stays ended (the damage is not skipped).
    /// </summary>
    public bool MoveNext()
    {
        try
        {
            if (_ended || (!_started && !Start()))
            {
                return false;
            }

            while (TryReadRecord())
            {
                if (_record.StartLsn >= _options.StartLsn)
                {
                    return true;
                }
            }

            return false;
        }
        catch (WalFormatException)
        {
            _ended = true;
            throw;
        }
    }

    /// <summary>All remaining records; each yielded <see cref="WalRecord"/> is the same reused object.</summary>
    public IEnumerable<WalRecord> Records()
    {
        while (MoveNext())
        {
            yield return _record;
        }
    }

    public void Dispose()
    {
        _pages.Dispose();
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _record.Attach(_buffer);
        }

        _ended = true;
    }

    /// <summary>Opens the first segment, walks to the page of StartLsn and finds the first record boundary on it.</summary>
    private bool Start()
    {
        _started = true;
        if (_pages.Start() != WalPageStatus.Page)
        {
            return End(0);
        }

        ulong target = _options.StartLsn.Value;
        if (target != 0)
        {
            if (target < _pages.PageLsn)
            {
                throw new ArgumentOutOfRangeException(nameof(_options.StartLsn),
                    $"start LSN {_options.StartLsn} precedes the first segment given ({_pages.SegmentName} starts at {WalPageReader.FormatLsn(_pages.PageLsn)})");
            }

            ulong targetPage = target - target % (ulong)_pages.PageSize;
            while (_pages.PageLsn < targetPage)
            {
                if (_pages.Next() != WalPageStatus.Page)
                {
                    return End(target);
                }
            }
        }

        return FindFirstBoundary();
    }

    /// <summary>
    /// XLogFindNextRecord: a page that begins with the rest of an earlier record says how long that rest is
    /// (xlp_rem_len); the first record of our own starts after it, possibly several pages later.
    /// </summary>
    private bool FindFirstBoundary()
    {
        while (true)
        {
            WalPageHeader header = _pages.Header;
            int free = _pages.PageSize - header.Size;
            if (!header.IsContinuation)
            {
                _nextLsn = _pages.PageLsn + (ulong)header.Size;
                return true;
            }

            if (header.RemainingLength < free)
            {
                _nextLsn = _pages.PageLsn + (ulong)header.Size + XLogRecordLayout.MaxAlignUp(header.RemainingLength);
                return true;
            }

            if (_pages.Next() != WalPageStatus.Page)
            {
                return End(_pages.PageLsn + (ulong)_pages.PageSize);
            }
        }
    }

    private bool End(ulong lsn)
    {
        _ended = true;
        EndOfWal = new Lsn(lsn);
        return false;
    }

    /// <summary>Makes the page holding <paramref name="lsn"/> current; false at end of WAL.</summary>
    private bool SeekPage(ulong lsn)
    {
        ulong pageLsn = lsn - lsn % (ulong)_pages.PageSize;
        if (pageLsn == _pages.PageLsn)
        {
            return true;
        }

        WalPageStatus status = _afterSwitch ? _pages.NextSegment(afterSwitch: true) : _pages.Next();
        _afterSwitch = false;
        if (status != WalPageStatus.Page)
        {
            return End(lsn);
        }

        if (_pages.PageLsn != pageLsn)
        {
            _pages.Fail(WalErrorKind.SegmentMismatch, _pages.SegmentOffsetOf(0),
                $"expected the page at {WalPageReader.FormatLsn(pageLsn)}, found {WalPageReader.FormatLsn(_pages.PageLsn)}");
        }

        return true;
    }

    /// <summary>Reads the record at _nextLsn into the record buffer (across pages and segments), checks and decodes it.</summary>
    private bool TryReadRecord()
    {
        if (!SeekPage(_nextLsn))
        {
            return false;
        }

        int offset = (int)(_nextLsn - _pages.PageLsn);
        if (offset == 0)
        {
            WalPageHeader header = _pages.Header;
            if (header.IsContinuation)
            {
                _pages.Fail(WalErrorKind.BadContinuation, _pages.SegmentOffsetOf(0),
                    $"page {WalPageReader.FormatLsn(_pages.PageLsn)} continues a record (xlp_rem_len {header.RemainingLength}) where a new record should start");
            }

            offset = header.Size;
            _nextLsn += (ulong)offset;
        }

        ulong start = _nextLsn;
        string segment = _pages.SegmentName;
        long segmentOffset = _pages.SegmentOffsetOf(offset);
        if (offset + sizeof(uint) > _pages.ValidBytes)
        {
            // A file cut short: between records that is the end of the WAL given, unless more segments follow.
            if (offset >= _pages.ValidBytes && !_pages.HasMoreInput())
            {
                return End(start);
            }

            WalThrowHelper.Throw(WalErrorKind.Truncated, segment, _pages.SegmentOffsetOf(_pages.ValidBytes),
                $"WAL ends before the record at {WalPageReader.FormatLsn(start)}, inside segment {segment}");
        }

        uint totalLength = BinaryPrimitives.ReadUInt32LittleEndian(_pages.Page[offset..]);
        if (totalLength == 0)
        {
            // PostgreSQL zeroes WAL ahead of the insert position: a zero length is where writing stopped.
            return End(start);
        }

        CheckLength(totalLength, start, segment, segmentOffset);
        _record.Timeline = new TimelineId(_pages.Header.Timeline);
        ulong end = Gather(totalLength, offset, start, segment, segmentOffset);
        CheckCrc(totalLength, segment, segmentOffset);
        Decode(start, end, totalLength, segment, segmentOffset);
        _prevLsn = start;
        _nextLsn = XLogRecordLayout.MaxAlignUp(end);
        if (_record.IsSwitch)
        {
            ulong segmentSize = (ulong)_pages.SegmentSize;
            _nextLsn = (end + segmentSize - 1) / segmentSize * segmentSize;
            _record.EndLsn = new Lsn(_nextLsn);
            _afterSwitch = true;
        }

        return true;
    }

    private void CheckLength(uint totalLength, ulong start, string segment, long segmentOffset)
    {
        if (totalLength < XLogRecordLayout.HeaderSize)
        {
            WalThrowHelper.Throw(WalErrorKind.BadRecordHeader, segment, segmentOffset,
                $"invalid record length at {WalPageReader.FormatLsn(start)}: wanted at least {XLogRecordLayout.HeaderSize}, got {totalLength}");
        }

        if (totalLength > (uint)_options.MaxRecordSize)
        {
            WalThrowHelper.Throw(WalErrorKind.RecordTooLarge, segment, segmentOffset,
                $"record at {WalPageReader.FormatLsn(start)} claims {totalLength} bytes, more than the limit of {_options.MaxRecordSize}");
        }

        if (_buffer.Length < totalLength)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent((int)totalLength);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
            _record.Attach(_buffer);
        }
    }

    /// <summary>Copies the record's bytes out of its pages; returns the LSN just past its last byte.</summary>
    private ulong Gather(uint totalLength, int offset, ulong start, string segment, long segmentOffset)
    {
        int gathered = 0;
        int position = offset;
        bool headerChecked = false;
        while (true)
        {
            int take = Math.Min(_pages.PageSize - position, (int)totalLength - gathered);
            if (position + take > _pages.ValidBytes)
            {
                _pages.Fail(WalErrorKind.Truncated, _pages.SegmentOffsetOf(_pages.ValidBytes),
                    $"WAL ends inside the record at {WalPageReader.FormatLsn(start)} ({totalLength} bytes, {gathered + _pages.ValidBytes - position} present)");
            }

            _pages.Page.Slice(position, take).CopyTo(_buffer.AsSpan(gathered));
            gathered += take;
            if (!headerChecked && gathered >= XLogRecordLayout.HeaderSize)
            {
                CheckHeader(start, segment, segmentOffset);
                headerChecked = true;
            }

            if (gathered == (int)totalLength)
            {
                return _pages.PageLsn + (ulong)(position + take);
            }

            position = NextContinuationPage(totalLength - (uint)gathered, start, totalLength, gathered);
        }
    }

    /// <summary>Moves to the page continuing the record and checks that it says so; returns where its data starts.</summary>
    private int NextContinuationPage(uint remaining, ulong start, uint totalLength, int gathered)
    {
        string segment = _pages.SegmentName;
        long endOffset = _pages.SegmentOffsetOf(_pages.PageSize);
        if (_pages.Next() != WalPageStatus.Page)
        {
            WalThrowHelper.Throw(WalErrorKind.Truncated, segment, endOffset,
                $"WAL ends inside the record at {WalPageReader.FormatLsn(start)} ({totalLength} bytes, {gathered} present)");
        }

        WalPageHeader header = _pages.Header;
        if (!header.IsContinuation || header.RemainingLength != remaining)
        {
            _pages.Fail(WalErrorKind.BadContinuation, _pages.SegmentOffsetOf(WalPageHeader.RemainingLengthOffset),
                $"page {WalPageReader.FormatLsn(_pages.PageLsn)} should continue the record at {WalPageReader.FormatLsn(start)} with {remaining} bytes, " +
                $"but has xlp_info 0x{header.Info:X4} and xlp_rem_len {header.RemainingLength}");
        }

        return header.Size;
    }

    /// <summary>ValidXLogRecordHeader: resource manager id and the back link to the previous record.</summary>
    private void CheckHeader(ulong start, string segment, long segmentOffset)
    {
        ReadOnlySpan<byte> header = _buffer.AsSpan(0, XLogRecordLayout.HeaderSize);
        byte rmid = header[XLogRecordLayout.RmgrOffset];
        if (!WalResourceManagers.IsValidId(rmid))
        {
            WalThrowHelper.Throw(WalErrorKind.BadRecordHeader, segment, segmentOffset + XLogRecordLayout.RmgrOffset,
                $"invalid resource manager ID {rmid} at {WalPageReader.FormatLsn(start)}");
        }

        ulong prev = BinaryPrimitives.ReadUInt64LittleEndian(header[XLogRecordLayout.PrevOffset..]);
        bool linked = _prevLsn != 0 ? prev == _prevLsn : prev < start;
        if (!linked)
        {
            WalThrowHelper.Throw(WalErrorKind.BadRecordHeader, segment, segmentOffset + XLogRecordLayout.PrevOffset,
                $"record at {WalPageReader.FormatLsn(start)} has incorrect xl_prev {WalPageReader.FormatLsn(prev)}" +
                (_prevLsn != 0 ? $"; the previous record is at {WalPageReader.FormatLsn(_prevLsn)}" : ""));
        }
    }

    private void CheckCrc(uint totalLength, string segment, long segmentOffset)
    {
        ReadOnlySpan<byte> bytes = _buffer.AsSpan(0, (int)totalLength);
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[XLogRecordLayout.CrcOffset..]);
        uint computed = WalCrc32C.ForRecord(bytes);
        if (stored != computed)
        {
            WalThrowHelper.Throw(WalErrorKind.CrcMismatch, segment, segmentOffset,
                $"incorrect resource manager data checksum in record at {WalPageReader.FormatLsn(_nextLsn)}: stored 0x{stored:X8}, computed 0x{computed:X8} ({totalLength} bytes)");
        }
    }
}
