using System.Buffers.Binary;

namespace Pgark.Wal;

/// <summary>
/// The long page header at the start of every WAL segment (PostgreSQL's XLogLongPageHeaderData, host byte order,
/// little-endian on the platforms pgark runs on). pgark reads it to tell which cluster a stored segment belongs to:
/// WAL object names carry the timeline and segment number but not the system identifier.
/// <code>
/// 0 xlp_magic u16 | 2 xlp_info u16 | 4 xlp_tli u32 | 8 xlp_pageaddr u64 | 16 xlp_rem_len u32 | 20 padding (4)
/// 24 xlp_sysid u64 | 32 xlp_seg_size u32 | 36 xlp_xlog_blcksz u32
/// </code>
/// </summary>
public static class WalPageHeader
{
    public const int LongHeaderSize = 40;
    public const int InfoOffset = 2;
    public const int TimelineOffset = 4;
    public const int PageAddressOffset = 8;
    public const int SystemIdOffset = 24;
    public const int SegmentSizeOffset = 32;

    /// <summary>XLP_LONG_HEADER in xlp_info: this page starts a segment and carries the long header.</summary>
    public const ushort LongHeaderFlag = 0x0002;

    /// <summary>The system identifier of a segment's first page, or null when the bytes are not a long page header.</summary>
    public static ulong? TryReadSystemIdentifier(ReadOnlySpan<byte> segmentStart)
    {
        if (segmentStart.Length < LongHeaderSize)
            return null;
        ushort info = BinaryPrimitives.ReadUInt16LittleEndian(segmentStart[InfoOffset..]);
        if ((info & LongHeaderFlag) == 0)
            return null;
        return BinaryPrimitives.ReadUInt64LittleEndian(segmentStart[SystemIdOffset..]);
    }
}
