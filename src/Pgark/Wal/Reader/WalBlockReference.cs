namespace Pgark.Wal.Reader;

/// <summary>Compression of a full-page image (bimg_info).</summary>
public enum WalImageCompression : byte
{
    None = 0,
    Pglz = 1,
    Lz4 = 2,
    Zstd = 3,
}

/// <summary>
/// One block reference of a record (XLogRecordBlockHeader and what follows it): which page of which relation fork the
/// record touches, and whether it carries a full-page image and/or per-block data.
/// </summary>
public readonly record struct WalBlockReference
{
    /// <summary>Block reference id, 0..32, strictly increasing within a record.</summary>
    public byte BlockId { get; init; }

    public RelFileLocator Relation { get; init; }

    /// <summary>ForkNumber: 0 main, 1 fsm, 2 visibility map, 3 init.</summary>
    public byte Fork { get; init; }

    public uint BlockNumber { get; init; }

    /// <summary>BKPBLOCK_WILL_INIT: redo re-initialises the page.</summary>
    public bool WillInit { get; init; }

    /// <summary>Bytes of per-block data (0 when BKPBLOCK_HAS_DATA is clear).</summary>
    public ushort DataLength { get; init; }

    public bool HasImage { get; init; }

    /// <summary>Bytes of the stored (possibly compressed, hole-free) page image.</summary>
    public ushort ImageLength { get; init; }

    public ushort HoleOffset { get; init; }

    public ushort HoleLength { get; init; }

    /// <summary>Raw bimg_info; its meaning depends on <see cref="WalVersion.ImageFlags"/>.</summary>
    public byte ImageInfo { get; init; }

    /// <summary>BKPIMAGE_APPLY: redo restores the image (as opposed to a wal_consistency_checking copy).</summary>
    public bool ApplyImage { get; init; }

    public WalImageCompression ImageCompression { get; init; }

    // Offsets of the image and data inside the assembled record; used by WalRecord.GetBlockImage/GetBlockData.
    internal int ImageOffset { get; init; }

    internal int DataOffset { get; init; }
}
