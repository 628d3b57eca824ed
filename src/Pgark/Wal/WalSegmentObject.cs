using Pgark.Repository.Format;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>One stored WAL object as its name and header describe it, or a segment in progress assembled from several.</summary>
/// <param name="ObjectName">
/// The blob name, <c>wal/&lt;walfile&gt;.&lt;kind&gt;.&lt;file id&gt;</c>. For a segment assembled from partials and pieces: the
/// part holding the prefix's last byte (the newest of the chain).
/// </param>
/// <param name="WalFileName">PostgreSQL's file name (<c>000000010000000000000003</c> or <c>00000002.history</c>).</param>
/// <param name="ValidLength">
/// Bytes of WAL the object holds (the segment size for a full segment; for an assembled partial, the longest contiguous prefix
/// from byte 0 its parts hold; for a piece, the piece's length).
/// </param>
public sealed record WalSegmentObject(string ObjectName, string WalFileName, WalKind Kind, TimelineId Timeline, ulong SegmentNumber,
    long ValidLength, long StoredLength)
{
    public bool IsSegment => Kind is WalKind.Full or WalKind.Partial;

    /// <summary>A piece's first byte within its segment (0 for the other kinds).</summary>
    public int Offset { get; init; }

    /// <summary>
    /// For a partial segment listed by <see cref="WalStore.ListAsync"/>: every stored partial and piece of the segment, in order of
    /// their first byte (the prefix is assembled from them; deleting the segment deletes them all). Empty otherwise.
    /// </summary>
    public IReadOnlyList<WalSegmentObject> Parts { get; init; } = [];

    /// <summary>The position just past the last byte this object holds.</summary>
    public Lsn EndLsn(int segmentSize) => Lsn.FromSegment(SegmentNumber, 0, segmentSize) + (ulong)(Offset + ValidLength);
}
