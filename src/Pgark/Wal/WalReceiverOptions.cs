using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>How a <see cref="WalReceiver"/> connects, where it stops and how often it reports.</summary>
public sealed record WalReceiverOptions
{
    /// <summary>The server; the receiver forces a physical replication connection (replication=true).</summary>
    public required ConnectionSettings Connection { get; init; }

    /// <summary>
    /// The physical replication slot that keeps the server from removing WAL pgark has not stored yet. Streaming
    /// without a slot is never done silently: a missing slot is an error unless <see cref="CreateSlot"/> is set.
    /// </summary>
    public string SlotName { get; init; } = "pgark";

    /// <summary>Create <see cref="SlotName"/> (RESERVE_WAL) when the server does not have it.</summary>
    public bool CreateSlot { get; init; }

    /// <summary>
    /// Acknowledge each durable write at once, so the server may list pgark in synchronous_standby_names. Otherwise
    /// the segment in progress is stored and acknowledged every <see cref="StatusInterval"/>.
    /// </summary>
    public bool Synchronous { get; init; }

    /// <summary>How often, at least, the server is told how far pgark got (also when nothing new arrived: a keepalive).</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often WAL that arrived is stored (as one piece of the segment in progress) and acknowledged, when not at once
    /// (<see cref="Synchronous"/>). 200 ms by default: a piece holds only the new bytes, so a store costs one small write and
    /// fsync, and a fifth of a second bounds what a crash of the primary can lose while keeping p99 lag well under a second.
    /// Never longer than <see cref="StatusInterval"/>.
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// After each stored segment, run a compacting collection that includes the large object heap, and after each 1 MiB frame a
    /// collection of the young generations, so a long-running streamer's resident memory stays flat (the GC otherwise lets
    /// garbage fill an allocation budget sized from the CPU cache, and neither compacts nor returns large-object space on its
    /// own). Process-wide pauses of a few milliseconds per 16 MiB of WAL: the <c>wal stream</c> command turns it on; an
    /// embedding application decides for its own process (default off).
    /// </summary>
    public bool CompactHeapAfterSegment { get; init; }

    /// <summary>Stop once everything before this position is durable (a physical backup's end); null streams until cancelled.</summary>
    public Lsn? StopLsn { get; init; }

    /// <summary>
    /// The first position the caller needs (a backup's start LSN). The receiver still continues from the archive's end
    /// when that is at or before this segment; it starts here when the archive is empty or ends earlier. Null: the
    /// archive's end, else the slot's restart_lsn, else the server's current position.
    /// </summary>
    public Lsn? StartLsn { get; init; }

    /// <summary>Reconnect after a lost connection or a server restart (with backoff) instead of failing.</summary>
    public bool Reconnect { get; init; } = true;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Take the shared repository lock and the per-cluster streamer lock (a caller that already holds them passes false).</summary>
    public bool TakeLocks { get; init; } = true;

    /// <summary>Progress and reconnect messages (one line each); null discards them.</summary>
    public Action<string>? Log { get; init; }
}
