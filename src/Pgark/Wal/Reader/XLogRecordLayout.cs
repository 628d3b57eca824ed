namespace Pgark.Wal.Reader;

/// <summary>Byte layout of the WAL record format (src/include/access/xlogrecord.h), identical in PostgreSQL 13 to 18.</summary>
/// <remarks>
/// <code>
/// XLogRecord (SizeOfXLogRecord = 24)
///  0  4 xl_tot_len   whole record, header included
///  4  4 xl_xid       transaction id (0 when none)
///  8  8 xl_prev      start LSN of the previous record
/// 16  1 xl_info      low 4 bits: XLR_* flags; high 4 bits: rmgr's record type
/// 17  1 xl_rmid      resource manager
/// 18  2 padding      zero
/// 20  4 xl_crc       CRC-32C of bytes 24..tot_len, then bytes 0..20
/// then: block headers / origin / toplevel xid / main-data header, then block images and data, then main data.
/// </code>
/// </remarks>
internal static class XLogRecordLayout
{
    public const int HeaderSize = 24;
    public const int TotalLengthOffset = 0;
    public const int XidOffset = 4;
    public const int PrevOffset = 8;
    public const int InfoOffset = 16;
    public const int RmgrOffset = 17;
    public const int CrcOffset = 20;

    /// <summary>MAXALIGN on every platform pgark supports: records start on 8-byte boundaries.</summary>
    public const int MaxAlign = 8;

    /// <summary>XLR_MAX_BLOCK_ID: block reference ids are 0..32.</summary>
    public const int MaxBlockId = 32;

    public const byte BlockIdDataShort = 255;
    public const byte BlockIdDataLong = 254;
    public const byte BlockIdOrigin = 253;
    public const byte BlockIdToplevelXid = 252;

    // XLogRecordBlockHeader: id(1) fork_flags(1) data_length(2)
    public const int BlockHeaderSize = 4;

    public const byte BlockForkMask = 0x0F;
    public const byte BlockHasImage = 0x10;
    public const byte BlockHasData = 0x20;
    public const byte BlockWillInit = 0x40;
    public const byte BlockSameRel = 0x80;

    // XLogRecordBlockImageHeader: length(2) hole_offset(2) bimg_info(1); then hole_length(2) if compressed with a hole
    public const int ImageHeaderSize = 5;

    // RelFileNode / RelFileLocator: spcOid, dbOid, relNumber
    public const int RelFileLocatorSize = 12;

    /// <summary>XLR_INFO_MASK: the bits of xl_info that belong to the record format, not the resource manager.</summary>
    public const byte InfoMask = 0x0F;

    public static ulong MaxAlignUp(ulong value) => (value + (MaxAlign - 1)) & ~(ulong)(MaxAlign - 1);
}
