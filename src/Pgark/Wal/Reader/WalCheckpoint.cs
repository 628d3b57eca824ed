using System.Buffers.Binary;
using Pgark.Wire.Replication;

namespace Pgark.Wal.Reader;

/// <summary>
/// A decoded CheckPoint (src/include/catalog/pg_control.h) from XLOG_CHECKPOINT_SHUTDOWN / _ONLINE. The fields read here
/// sit at the same offsets in PostgreSQL 13 to 18 (17 put wal_level into what was padding after fullPageWrites).
/// </summary>
/// <remarks>
/// <code>
///  0 8 redo              LSN where replay of this checkpoint starts
///  8 4 ThisTimeLineID
/// 12 4 PrevTimeLineID
/// 16 1 fullPageWrites    (17+: 20 4 wal_level)
/// 24 8 nextXid           FullTransactionId: epoch in the high 32 bits
/// 32 4 nextOid
/// 64 8 time              pg_time_t, seconds since 1970-01-01 UTC
/// 80 4 oldestActiveXid
/// 88   end (sizeof(CheckPoint) in 13..18)
/// </code>
/// </remarks>
public sealed class WalCheckpoint
{
    internal const int MinSize = 88;

    public bool IsShutdown { get; private init; }

    public Lsn Redo { get; private init; }

    public TimelineId Timeline { get; private init; }

    public TimelineId PreviousTimeline { get; private init; }

    public bool FullPageWrites { get; private init; }

    /// <summary>FullTransactionId: epoch &lt;&lt; 32 | xid.</summary>
    public ulong NextFullXid { get; private init; }

    public uint NextXid => (uint)NextFullXid;

    public uint NextOid { get; private init; }

    public DateTime Time { get; private init; }

    public uint OldestActiveXid { get; private init; }

    internal static WalCheckpoint? Parse(bool shutdown, ReadOnlySpan<byte> data)
    {
        if (data.Length < MinSize)
        {
            return null;
        }

        return new WalCheckpoint
        {
            IsShutdown = shutdown,
            Redo = new Lsn(BinaryPrimitives.ReadUInt64LittleEndian(data)),
            Timeline = new TimelineId(BinaryPrimitives.ReadUInt32LittleEndian(data[8..])),
            PreviousTimeline = new TimelineId(BinaryPrimitives.ReadUInt32LittleEndian(data[12..])),
            FullPageWrites = data[16] != 0,
            NextFullXid = BinaryPrimitives.ReadUInt64LittleEndian(data[24..]),
            NextOid = BinaryPrimitives.ReadUInt32LittleEndian(data[32..]),
            Time = DateTime.UnixEpoch.AddSeconds(BinaryPrimitives.ReadInt64LittleEndian(data[64..])),
            OldestActiveXid = BinaryPrimitives.ReadUInt32LittleEndian(data[80..]),
        };
    }
}
