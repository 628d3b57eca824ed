using System.Numerics;

namespace Pgark.Wal.Reader;

/// <summary>What <see cref="WalPageReader"/> found where it looked for a page.</summary>
internal enum WalPageStatus
{
    /// <summary>A valid page is current.</summary>
    Page,

    /// <summary>No more input: the last segment ended (or was given short) at a page boundary.</summary>
    EndOfInput,

    /// <summary>A zeroed page header: the writer never got here (end of WAL in a partial segment).</summary>
    Zeroed,
}

/// <summary>
/// Hands out the pages of consecutive segments one at a time and checks each page header the way PostgreSQL's
/// XLogReaderValidatePageHeader does. Holds one page buffer; the current page is valid until the next call.
/// </summary>
internal sealed class WalPageReader : IDisposable
{
    private const int MinSegmentSize = 1 << 20;
    private const int MaxSegmentSize = 1 << 30;

    private readonly IEnumerator<WalSegmentInput> _inputs;
    private WalSegmentInput? _input;
    private byte[] _page = new byte[WalPageHeader.LongSize];
    private long _segmentOffset = -1;   // offset of the current page in its segment
    private ulong _segmentNumber;
    private ulong _systemId;
    private uint _lastTimeline;
    private bool _inputEnded;
    private bool _peeked;
    private bool _peekResult;

    public WalPageReader(IEnumerable<WalSegmentInput> inputs) => _inputs = inputs.GetEnumerator();

    public WalVersion Version { get; private set; } = null!;

    public int PageSize { get; private set; }

    public int SegmentSize { get; private set; }

    public ulong SystemId => _systemId;

    /// <summary>LSN of the current page's first byte.</summary>
    public ulong PageLsn { get; private set; }

    public WalPageHeader Header { get; private set; }

    /// <summary>Bytes of the current page actually present (less than PageSize for a truncated file).</summary>
    public int ValidBytes { get; private set; }

    public ReadOnlySpan<byte> Page => _page.AsSpan(0, PageSize);

    public string SegmentName => _input?.FileName ?? "(no segment)";

    public long SegmentOffsetOf(int pageOffset) => _segmentOffset + pageOffset;

    /// <summary>Opens the first segment and reads its first page, which fixes page size, segment size and release.</summary>
    public WalPageStatus Start()
    {
        if (!OpenNextInput())
        {
            return WalPageStatus.EndOfInput;
        }

        return ReadPage(firstOfRun: true);
    }

    /// <summary>Advances to the page after the current one, moving to the next segment at a segment's end.</summary>
    public WalPageStatus Next()
    {
        if (_segmentOffset + PageSize >= SegmentSize || _inputEnded)
        {
            return NextSegment();
        }

        return ReadPage(firstOfRun: false);
    }

    /// <summary>Abandons the rest of the current segment (after XLOG_SWITCH) and reads the next segment's first page.</summary>
    public WalPageStatus NextSegment(bool afterSwitch = false)
    {
        ulong expected = _segmentNumber + 1;
        if (!afterSwitch && _inputEnded && _segmentOffset + PageSize < SegmentSize && PeekMoreInput())
        {
            Fail(WalErrorKind.Truncated, _segmentOffset + ValidBytes,
                $"segment ends after {_segmentOffset + ValidBytes} bytes but its size is {SegmentSize} and a next segment follows");
        }

        if (!OpenNextInput())
        {
            return WalPageStatus.EndOfInput;
        }

        _segmentNumber = expected;
        return ReadPage(firstOfRun: false);
    }

    public void Dispose()
    {
        _input?.Content.Dispose();
        _input = null;
        _inputs.Dispose();
    }

    /// <summary>True when another segment follows the current one.</summary>
    public bool HasMoreInput() => PeekMoreInput();

    private bool PeekMoreInput()
    {
        if (!_peeked)
        {
            _peeked = true;
            _peekResult = _inputs.MoveNext();
        }

        return _peekResult;
    }

    private bool OpenNextInput()
    {
        bool more = _peeked ? _peekResult : _inputs.MoveNext();
        _peeked = false;
        _input?.Content.Dispose();
        _input = more ? _inputs.Current : null;
        _segmentOffset = -1;
        _inputEnded = false;
        return more;
    }

    private WalPageStatus ReadPage(bool firstOfRun)
    {
        long offset = _segmentOffset < 0 ? 0 : _segmentOffset + PageSize;
        int size = firstOfRun ? WalPageHeader.LongSize : PageSize;
        int got = _input!.Content.ReadAtLeast(_page.AsSpan(0, size), size, throwOnEndOfStream: false);
        _segmentOffset = offset;
        if (got == 0)
        {
            _inputEnded = true;
            ValidBytes = 0;
            if (PeekMoreInput())
            {
                Fail(WalErrorKind.Truncated, offset, $"segment ends after {offset} bytes but its size is {SegmentSize} and a next segment follows");
            }

            return WalPageStatus.EndOfInput;
        }

        if (got < WalPageHeader.ShortSize)
        {
            Fail(WalErrorKind.Truncated, offset + got, $"page header cut short: {got} of {WalPageHeader.ShortSize} bytes");
        }

        if (WalPageHeader.IsZeroed(_page))
        {
            _inputEnded = true;
            return WalPageStatus.Zeroed;
        }

        if (firstOfRun)
        {
            got = ReadFirstPageRest(got);
        }

        ValidBytes = got;
        if (got < PageSize)
        {
            _page.AsSpan(got, PageSize - got).Clear();
            _inputEnded = true;
        }

        Validate(new WalPageHeader(_page.AsSpan(0, got)), offset);
        return WalPageStatus.Page;
    }

    /// <summary>The first page tells the geometry: size the buffer from the long header, then read the page's rest.</summary>
    private int ReadFirstPageRest(int got)
    {
        var header = new WalPageHeader(_page.AsSpan(0, got));
        if (!header.IsLong || got < WalPageHeader.LongSize)
        {
            Fail(WalErrorKind.BadPageHeader, 0, $"the first page has no long header (xlp_info 0x{header.Info:X4}); give whole segments from their first byte");
        }

        CheckMagic(header.Magic, 0);
        if (!BitOperations.IsPow2(header.SegmentSize) || header.SegmentSize is < MinSegmentSize or > MaxSegmentSize)
        {
            Fail(WalErrorKind.BadLongHeader, WalPageHeader.SegmentSizeOffset, $"invalid xlp_seg_size {header.SegmentSize}: must be a power of two from 1 MiB to 1 GiB");
        }

        if (!BitOperations.IsPow2(header.BlockSize) || header.BlockSize is < 1024 or > 65536)
        {
            Fail(WalErrorKind.BadLongHeader, WalPageHeader.BlockSizeOffset, $"invalid xlp_xlog_blcksz {header.BlockSize}: must be a power of two from 1 KiB to 64 KiB");
        }

        SegmentSize = (int)header.SegmentSize;
        PageSize = (int)header.BlockSize;
        _systemId = header.SystemId;
        _segmentNumber = header.PageAddress / (ulong)SegmentSize;
        byte[] page = new byte[PageSize];
        _page.AsSpan(0, got).CopyTo(page);
        _page = page;
        return got + _input!.Content.ReadAtLeast(_page.AsSpan(got), PageSize - got, throwOnEndOfStream: false);
    }

    private void CheckMagic(ushort magic, long offset)
    {
        if (Version is null)
        {
            Version = WalVersion.FromPageMagic(magic)
                ?? Fail<WalVersion>(WalErrorKind.BadPageMagic, offset, $"unknown xlp_magic 0x{magic:X4}; pgark reads {WalVersion.KnownMagicsText}");
        }
        else if (magic != Version.PageMagic)
        {
            Fail(WalErrorKind.BadPageMagic, offset, $"xlp_magic 0x{magic:X4} differs from 0x{Version.PageMagic:X4} (PostgreSQL {Version.Major}) of the first page");
        }
    }

    private void Validate(WalPageHeader header, long offset)
    {
        CheckMagic(header.Magic, offset);
        if ((header.Info & ~WalPageHeader.AllFlags) != 0)
        {
            Fail(WalErrorKind.BadPageHeader, offset + WalPageHeader.InfoOffset, $"invalid xlp_info bits 0x{header.Info:X4}");
        }

        ulong expectedLsn = _segmentNumber * (ulong)SegmentSize + (ulong)offset;
        if (offset == 0)
        {
            CheckLongHeader(header);
        }

        if (header.PageAddress != expectedLsn)
        {
            Fail(WalErrorKind.BadPageHeader, offset + WalPageHeader.PageAddressOffset,
                $"xlp_pageaddr {FormatLsn(header.PageAddress)} where {FormatLsn(expectedLsn)} was expected (segments out of order, or a recycled segment's old page)");
        }

        if (header.Timeline < _lastTimeline)
        {
            Fail(WalErrorKind.BadPageHeader, offset + WalPageHeader.TimelineOffset, $"timeline {header.Timeline} after timeline {_lastTimeline}: out of sequence");
        }

        _lastTimeline = header.Timeline;
        PageLsn = expectedLsn;
        Header = header;
    }

    private void CheckLongHeader(WalPageHeader header)
    {
        if (!header.IsLong)
        {
            Fail(WalErrorKind.BadPageHeader, WalPageHeader.InfoOffset, $"the segment's first page lacks XLP_LONG_HEADER (xlp_info 0x{header.Info:X4})");
        }

        if (header.SystemId != _systemId)
        {
            Fail(WalErrorKind.BadLongHeader, WalPageHeader.SystemIdOffset, $"system identifier {header.SystemId} differs from {_systemId} of the first segment: WAL of another cluster");
        }

        if (header.SegmentSize != SegmentSize || header.BlockSize != PageSize)
        {
            Fail(WalErrorKind.BadLongHeader, WalPageHeader.SegmentSizeOffset, $"segment size {header.SegmentSize} / page size {header.BlockSize} differ from {SegmentSize} / {PageSize} of the first segment");
        }

        if (WalSegmentInput.TryParseName(_input!.FileName, SegmentSize, out _, out ulong named) && named != header.PageAddress / (ulong)SegmentSize)
        {
            Fail(WalErrorKind.SegmentMismatch, WalPageHeader.PageAddressOffset,
                $"the file name says segment {named:X} but the first page is at {FormatLsn(header.PageAddress)} (segment {header.PageAddress / (ulong)SegmentSize:X})");
        }

        if (header.PageAddress / (ulong)SegmentSize != _segmentNumber)
        {
            Fail(WalErrorKind.SegmentMismatch, WalPageHeader.PageAddressOffset,
                $"segment {header.PageAddress / (ulong)SegmentSize:X} given where segment {_segmentNumber:X} was expected: segments must be consecutive");
        }
    }

    public void Fail(WalErrorKind kind, long segmentOffset, string detail) => WalThrowHelper.Throw(kind, SegmentName, segmentOffset, detail);

    private T Fail<T>(WalErrorKind kind, long segmentOffset, string detail)
    {
        WalThrowHelper.Throw(kind, SegmentName, segmentOffset, detail);
        return default!;
    }

    internal static string FormatLsn(ulong lsn) => $"{(uint)(lsn >> 32):X}/{(uint)lsn:X}";
}
