using System.Buffers.Binary;
using Pgark.Wire.Replication;

namespace Pgark.Wal.Reader;

/// <summary>The end of a transaction as WAL records it (RM_XACT_ID COMMIT/ABORT[_PREPARED]).</summary>
public enum XactCompletionKind
{
    Commit,
    Abort,
    CommitPrepared,
    AbortPrepared,
}

/// <summary>
/// A decoded xl_xact_commit / xl_xact_abort (src/include/access/xact.h, ParseCommitRecord / ParseAbortRecord):
/// what a replay planner needs to stop at or after a transaction.
/// </summary>
public sealed class XactCompletion
{
    // xl_xact_xinfo bits (XACT_XINFO_HAS_*)
    public const uint HasDbInfo = 1u << 0;
    public const uint HasSubxacts = 1u << 1;
    public const uint HasRelFileLocators = 1u << 2;
    public const uint HasInvals = 1u << 3;
    public const uint HasTwoPhase = 1u << 4;
    public const uint HasOrigin = 1u << 5;
    public const uint HasAeLocks = 1u << 6;
    public const uint HasGid = 1u << 7;
    public const uint HasDroppedStats = 1u << 8;

    private const int SharedInvalidationMessageSize = 16;

    public XactCompletionKind Kind { get; private init; }

    public bool IsCommit => Kind is XactCompletionKind.Commit or XactCompletionKind.CommitPrepared;

    /// <summary>xact_time as stored: microseconds since 2000-01-01 UTC (TimestampTz).</summary>
    public long TimestampMicros { get; private init; }

    /// <summary>xact_time as UTC.</summary>
    public DateTime Time => PgTimestamp.ToDateTime(TimestampMicros);

    /// <summary>
    /// The completed transaction: the prepared transaction's xid for *_PREPARED records, else the record's xl_xid
    /// (the top-level xid; subtransactions are in <see cref="Subxacts"/>).
    /// </summary>
    public uint Xid { get; private init; }

    public uint Xinfo { get; private init; }

    public uint DatabaseOid { get; private init; }

    public uint TablespaceOid { get; private init; }

    public IReadOnlyList<uint> Subxacts { get; private init; } = [];

    /// <summary>Relations whose files the transaction drops (created-and-aborted, or dropped-and-committed).</summary>
    public IReadOnlyList<RelFileLocator> DroppedRelations { get; private init; } = [];

    public int InvalidationCount { get; private init; }

    public int DroppedStatsCount { get; private init; }

    public string? TwoPhaseGid { get; private init; }

    public Lsn OriginLsn { get; private init; }

    public long OriginTimestampMicros { get; private init; }

    /// <summary>Parses the main data of an xact completion record; null when its lengths do not add up.</summary>
    internal static XactCompletion? Parse(byte info, uint recordXid, ReadOnlySpan<byte> data, WalVersion version)
    {
        var reader = new SpanCursor(data);
        XactCompletionKind kind = (info & WalRecordTypes.XactOpMask) switch
        {
            WalRecordTypes.XactCommit => XactCompletionKind.Commit,
            WalRecordTypes.XactAbort => XactCompletionKind.Abort,
            WalRecordTypes.XactCommitPrepared => XactCompletionKind.CommitPrepared,
            _ => XactCompletionKind.AbortPrepared,
        };
        if (!reader.TryInt64(out long time))
        {
            return null;
        }

        uint xinfo = 0;
        if ((info & WalRecordTypes.XactHasInfo) != 0 && !reader.TryUInt32(out xinfo))
        {
            return null;
        }

        uint dbOid = 0, tsOid = 0;
        if ((xinfo & HasDbInfo) != 0 && !(reader.TryUInt32(out dbOid) && reader.TryUInt32(out tsOid)))
        {
            return null;
        }

        uint[] subxacts = [];
        if ((xinfo & HasSubxacts) != 0 && !TryReadUInt32Array(ref reader, out subxacts))
        {
            return null;
        }

        RelFileLocator[] rels = [];
        if ((xinfo & HasRelFileLocators) != 0 && !TryReadLocators(ref reader, out rels))
        {
            return null;
        }

        int stats = 0;
        if ((xinfo & HasDroppedStats) != 0 && !TrySkipArray(ref reader, version.DroppedStatsItemSize, out stats))
        {
            return null;
        }

        // Abort records never carry invalidations; commit records do when HAS_INVALS.
        int invals = 0;
        if ((xinfo & HasInvals) != 0 && kind is XactCompletionKind.Commit or XactCompletionKind.CommitPrepared
            && !TrySkipArray(ref reader, SharedInvalidationMessageSize, out invals))
        {
            return null;
        }

        uint xid = recordXid;
        string? gid = null;
        if ((xinfo & HasTwoPhase) != 0)
        {
            if (!reader.TryUInt32(out xid) || ((xinfo & HasGid) != 0 && !reader.TryCString(out gid)))
            {
                return null;
            }
        }

        // xl_xact_origin follows unaligned.
        ulong originLsn = 0;
        long originTime = 0;
        if ((xinfo & HasOrigin) != 0 && !(reader.TryUInt64(out originLsn) && reader.TryInt64(out originTime)))
        {
            return null;
        }

        return new XactCompletion
        {
            Kind = kind, TimestampMicros = time, Xid = xid, Xinfo = xinfo, DatabaseOid = dbOid, TablespaceOid = tsOid,
            Subxacts = subxacts, DroppedRelations = rels, InvalidationCount = invals, DroppedStatsCount = stats,
            TwoPhaseGid = gid, OriginLsn = new Lsn(originLsn), OriginTimestampMicros = originTime,
        };
    }

    private static bool TryReadUInt32Array(ref SpanCursor reader, out uint[] values)
    {
        values = [];
        if (!reader.TryCount(sizeof(uint), out int count) || !reader.TryTake(count * sizeof(uint), out ReadOnlySpan<byte> bytes))
        {
            return false;
        }

        values = new uint[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]);
        }

        return true;
    }

    private static bool TryReadLocators(ref SpanCursor reader, out RelFileLocator[] locators)
    {
        locators = [];
        const int Size = XLogRecordLayout.RelFileLocatorSize;
        if (!reader.TryCount(Size, out int count) || !reader.TryTake(count * Size, out ReadOnlySpan<byte> bytes))
        {
            return false;
        }

        locators = new RelFileLocator[count];
        for (int i = 0; i < count; i++)
        {
            locators[i] = SpanCursor.ReadLocator(bytes[(i * Size)..]);
        }

        return true;
    }

    private static bool TrySkipArray(ref SpanCursor reader, int itemSize, out int count) =>
        reader.TryCount(itemSize, out count) && reader.TryTake(count * itemSize, out _);
}
