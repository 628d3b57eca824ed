using Pgark.Repository.Format;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>One stored WAL object as its name and header describe it.</summary>
/// <param name="ObjectName">The blob name, <c>wal/&lt;walfile&gt;.&lt;kind&gt;.&lt;file id&gt;</c>.</param>
/// <param name="WalFileName">PostgreSQL's file name (<c>000000010000000000000003</c> or <c>00000002.history</c>).</param>
/// <param name="ValidLength">Bytes of WAL the object holds (the segment size for a full segment).</param>
public sealed record WalSegmentObject(string ObjectName, string WalFileName, WalKind Kind, TimelineId Timeline, ulong SegmentNumber,
    long ValidLength, long StoredLength)
{
    public bool IsSegment => Kind is WalKind.Full or WalKind.Partial;

    /// <summary>The position just past the last byte this object holds.</summary>
    public Lsn EndLsn(int segmentSize) => Lsn.FromSegment(SegmentNumber, 0, segmentSize) + (ulong)ValidLength;
}
