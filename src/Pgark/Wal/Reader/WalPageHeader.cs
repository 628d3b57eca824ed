using System.Buffers.Binary;

namespace Pgark.Wal.Reader;

/// <summary>
/// XLogPageHeaderData, and XLogLongPageHeaderData on the first page of each segment (xlog_internal.h).
/// All fields are little-endian as written by the x86-64/arm64 servers pgark supports; MAXALIGN is 8.
/// </summary>
/// <remarks>
/// <code>
/// offset size field
///  0      2   xlp_magic        XLOG_PAGE_MAGIC of the release
///  2      2   xlp_info         XLP_* flags
///  4      4   xlp_tli          timeline of the first record on the page
///  8      8   xlp_pageaddr     LSN of the page's first byte
/// 16      4   xlp_rem_len      bytes of a record continued from the previous page (0 if none)
/// 20      4   padding          SizeOfXLogShortPHD = MAXALIGN(20) = 24
/// -- long header only (XLP_LONG_HEADER) --
/// 24      8   xlp_sysid        pg_control system identifier
/// 32      4   xlp_seg_size     wal_segment_size
/// 36      4   xlp_xlog_blcksz  XLOG_BLCKSZ
///                              SizeOfXLogLongPHD = 40
/// </code>
/// </remarks>
internal readonly struct WalPageHeader
{
    public const int ShortSize = 24;
    public const int LongSize = 40;

    public const int MagicOffset = 0;
    public const int InfoOffset = 2;
    public const int TimelineOffset = 4;
    public const int PageAddressOffset = 8;
    public const int RemainingLengthOffset = 16;
    public const int SystemIdOffset = 24;
    public const int SegmentSizeOffset = 32;
    public const int BlockSizeOffset = 36;

    /// <summary>XLP_FIRST_IS_CONTRECORD: the page starts with the rest of a record begun on an earlier page.</summary>
    public const ushort FirstIsContRecord = 0x0001;

    /// <summary>XLP_LONG_HEADER: the long header follows (first page of a segment).</summary>
    public const ushort LongHeader = 0x0002;

    /// <summary>XLP_BKP_REMOVABLE: full-page images on this page may be dropped by an archiver (not set during backups).</summary>
    public const ushort BackupRemovable = 0x0004;

    /// <summary>XLP_FIRST_IS_OVERWRITE_CONTRECORD (13.4+, 14+): a missing continuation was replaced (see OVERWRITE_CONTRECORD).</summary>
    public const ushort FirstIsOverwriteContRecord = 0x0008;

    /// <summary>XLP_ALL_FLAGS: any other bit is a corrupt header.</summary>
    public const ushort AllFlags = 0x000F;

    public WalPageHeader(ReadOnlySpan<byte> page)
    {
        Magic = BinaryPrimitives.ReadUInt16LittleEndian(page[MagicOffset..]);
        Info = BinaryPrimitives.ReadUInt16LittleEndian(page[InfoOffset..]);
        Timeline = BinaryPrimitives.ReadUInt32LittleEndian(page[TimelineOffset..]);
        PageAddress = BinaryPrimitives.ReadUInt64LittleEndian(page[PageAddressOffset..]);
        RemainingLength = BinaryPrimitives.ReadUInt32LittleEndian(page[RemainingLengthOffset..]);
        if ((Info & LongHeader) != 0 && page.Length >= LongSize)
        {
            SystemId = BinaryPrimitives.ReadUInt64LittleEndian(page[SystemIdOffset..]);
            SegmentSize = BinaryPrimitives.ReadUInt32LittleEndian(page[SegmentSizeOffset..]);
            BlockSize = BinaryPrimitives.ReadUInt32LittleEndian(page[BlockSizeOffset..]);
        }
    }

    public ushort Magic { get; }

    public ushort Info { get; }

    public uint Timeline { get; }

    public ulong PageAddress { get; }

    public uint RemainingLength { get; }

    public ulong SystemId { get; }

    public uint SegmentSize { get; }

    public uint BlockSize { get; }

    public bool IsLong => (Info & LongHeader) != 0;

    public bool IsContinuation => (Info & FirstIsContRecord) != 0;

    public int Size => IsLong ? LongSize : ShortSize;

    /// <summary>True for the zeroed space PostgreSQL leaves after the last written page (end of WAL, not corruption).</summary>
    public static bool IsZeroed(ReadOnlySpan<byte> page) => !page[..ShortSize].ContainsAnyExcept((byte)0);
}
