using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// The best stored object for one segment of one timeline: the full one, else the longest partial (wal get serves the
/// same choice, so what the map calls covered is what restore_command will hand PostgreSQL).
/// </summary>
/// <param name="ObjectName">The repository blob, <c>wal/&lt;walfile&gt;.&lt;kind&gt;.&lt;file id&gt;</c>.</param>
/// <param name="ValidLength">WAL bytes held: the segment size for a full segment, fewer for a partial.</param>
public readonly record struct ArchivedSegment(TimelineId Timeline, ulong SegmentNumber, bool IsPartial, long ValidLength, string ObjectName)
{
    /// <summary>Position of the segment's first byte.</summary>
    public Lsn Start(int segmentSize) => Lsn.FromSegment(SegmentNumber, 0, segmentSize);

    /// <summary>Just past the last byte the object holds.</summary>
    public Lsn End(int segmentSize) => Start(segmentSize) + (ulong)ValidLength;

    /// <summary>PostgreSQL's name of the segment (without ".partial").</summary>
    public string FileName(int segmentSize) => Start(segmentSize).WalFileName(Timeline, segmentSize);
}
