using Pgark.Wire.Replication;

namespace Pgark.Wal.Reader;

/// <summary>
/// One decoded WAL record. The reader reuses this object and its buffers: everything here, the spans above all, is
/// valid only until the next <see cref="WalReader.MoveNext"/>. Copy what must outlive that (the decoded
/// <see cref="Transaction"/>, <see cref="Checkpoint"/> and <see cref="RestorePoint"/> objects are fresh each time and
/// may be kept).
/// </summary>
public sealed class WalRecord
{
    private readonly WalBlockReference[] _blocks = new WalBlockReference[XLogRecordLayout.MaxBlockId + 1];
    private byte[] _bytes = [];

    /// <summary>LSN of the record's first byte (what pg_waldump prints as "lsn").</summary>
    public Lsn StartLsn { get; internal set; }

    /// <summary>
    /// LSN just past the record's last byte (PostgreSQL's EndRecPtr). For XLOG_SWITCH it is the next segment's start,
    /// since the switch record logically fills its segment.
    /// </summary>
    public Lsn EndLsn { get; internal set; }

    /// <summary>xl_prev: start of the previous record.</summary>
    public Lsn PrevLsn { get; internal set; }

    /// <summary>xl_tot_len: header, block headers, images, data.</summary>
    public uint TotalLength { get; internal set; }

    /// <summary>xl_xid (0 when the record belongs to no transaction).</summary>
    public uint Xid { get; internal set; }

    /// <summary>xl_info: low 4 bits XLR flags, high 4 bits the resource manager's record type.</summary>
    public byte Info { get; internal set; }

    public byte RmgrId { get; internal set; }

    public WalResourceManager Rmgr => (WalResourceManager)RmgrId;

    public string RmgrName => WalResourceManagers.Name(RmgrId);

    /// <summary>pg_waldump's record type name ("COMMIT", "INSERT+INIT"), or null for managers pgark does not name.</summary>
    public string? TypeName => RmgrId <= WalResourceManagers.MaxBuiltinId ? WalRecordTypes.Identify(Rmgr, Info) : null;

    /// <summary>Bytes of full-page images in the record; TotalLength - ImageLength is pg_waldump's "rec" length.</summary>
    public int ImageLength { get; internal set; }

    /// <summary>xlp_tli of the page where the record starts.</summary>
    public TimelineId Timeline { get; internal set; }

    /// <summary>Segment file and byte offset where the record starts.</summary>
    public string SegmentFileName { get; internal set; } = "";

    public long SegmentOffset { get; internal set; }

    /// <summary>Replication origin (XLR_BLOCK_ID_ORIGIN), 0 when absent.</summary>
    public ushort OriginId { get; internal set; }

    /// <summary>Top-level xid of a subtransaction's record (XLR_BLOCK_ID_TOPLEVEL_XID), 0 when absent.</summary>
    public uint ToplevelXid { get; internal set; }

    public int BlockCount { get; internal set; }

    public ReadOnlySpan<WalBlockReference> Blocks => _blocks.AsSpan(0, BlockCount);

    public ReadOnlySpan<byte> MainData => _bytes.AsSpan(MainDataOffset, MainDataLength);

    /// <summary>The record's raw bytes, header included.</summary>
    public ReadOnlySpan<byte> RawBytes => _bytes.AsSpan(0, (int)TotalLength);

    public XactCompletion? Transaction { get; internal set; }

    public WalCheckpoint? Checkpoint { get; internal set; }

    public WalRestorePoint? RestorePoint { get; internal set; }

    public bool IsSwitch => Rmgr == WalResourceManager.Xlog && (Info & WalRecordTypes.RmgrInfoMask) == WalRecordTypes.Switch;

    /// <summary>RM_HEAP_ID XLOG_HEAP_DELETE: one deleted tuple on the page of block reference 0.</summary>
    public bool IsHeapDelete => Rmgr == WalResourceManager.Heap && (Info & WalRecordTypes.HeapOpMask) == WalRecordTypes.HeapDelete;

    internal int MainDataOffset { get; set; }

    internal int MainDataLength { get; set; }

    internal WalBlockReference[] BlockArray => _blocks;

    /// <summary>The stored page image of block <paramref name="index"/> (compressed as its flags say; hole removed).</summary>
    public ReadOnlySpan<byte> GetBlockImage(int index)
    {
        WalBlockReference block = Blocks[index];
        return block.HasImage ? _bytes.AsSpan(block.ImageOffset, block.ImageLength) : default;
    }

    /// <summary>The per-block data of block <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> GetBlockData(int index)
    {
        WalBlockReference block = Blocks[index];
        return _bytes.AsSpan(block.DataOffset, block.DataLength);
    }

    internal void Attach(byte[] bytes) => _bytes = bytes;
}
