using Pgark.Repository.Binary;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository.Locks;

/// <summary>
/// A lock file's body (spec §15): LockKind u8, reserved (3), ProcessId u32, ProcessStartTime i64, CreatedTime i64,
/// HeartbeatTime i64, Hostname string, Purpose string. Never encrypted.
/// </summary>
public sealed record LockRecord(LockKind Kind, int ProcessId, DateTimeOffset? ProcessStartTime, DateTimeOffset Created,
    DateTimeOffset Heartbeat, string Hostname, string Purpose)
{
    public const string Directory = "locks/";

    public byte[] EncodeBody()
    {
        var w = new ByteWriter();
        w.U8((byte)Kind);
        w.Zeros(3);
        w.U32((uint)ProcessId);
        w.I64(ProcessStartTime is { } start ? TreeRecordCodec.ToMicroseconds(start) : 0);
        w.I64(TreeRecordCodec.ToMicroseconds(Created));
        w.I64(TreeRecordCodec.ToMicroseconds(Heartbeat));
        w.String(Hostname);
        w.String(Purpose);
        return w.ToArray();
    }

    public static LockRecord DecodeBody(ReadOnlySpan<byte> body)
    {
        var r = new ByteReader(body);
        var kind = (LockKind)r.U8("LockKind");
        if (kind is < LockKind.Shared or > LockKind.Exclusive)
            throw new InvalidDataException($"unknown lock kind {(byte)kind}");
        r.Reserved(3, "lock reserved");
        var pid = (int)r.U32("ProcessId");
        var start = r.I64("ProcessStartTime");
        var record = new LockRecord(kind, pid, start == 0 ? null : TreeRecordCodec.FromMicroseconds(start),
            TreeRecordCodec.FromMicroseconds(r.I64("CreatedTime")), TreeRecordCodec.FromMicroseconds(r.I64("HeartbeatTime")),
            r.String("Hostname", 1024), r.String("Purpose", 1024));
        r.ExpectEnd("lock");
        return record;
    }

    /// <summary>
    /// Stale only when provably dead (spec §15): on this host, no live process with this pid and start time; on another host,
    /// a heartbeat older than <paramref name="staleAfter"/>. A live local holder is never stale, whatever its age.
    /// </summary>
    public bool IsStale(string thisHost, DateTimeOffset now, TimeSpan staleAfter, Func<int, DateTimeOffset?, bool> processAlive)
        => string.Equals(Hostname, thisHost, StringComparison.Ordinal)
            ? !processAlive(ProcessId, ProcessStartTime)
            : now - Heartbeat > staleAfter;

    public string Describe(DateTimeOffset now)
        => $"{Kind.ToString().ToLowerInvariant()} lock for {Purpose} held by pid {ProcessId} on {Hostname}, " +
           $"created {(now - Created).TotalSeconds:0}s ago, heartbeat {(now - Heartbeat).TotalSeconds:0}s ago";
}
