namespace Pgark.Wire.Replication;

/// <summary>IDENTIFY_SYSTEM: the cluster's system identifier, current timeline and WAL flush position.</summary>
/// <param name="SystemId">pg_control's system identifier (decimal text on the wire).</param>
/// <param name="DatabaseName">Null on a physical replication connection.</param>
public sealed record IdentifySystemResult(ulong SystemId, TimelineId Timeline, Lsn XLogPosition, string? DatabaseName);

/// <summary>TIMELINE_HISTORY: a timeline history file's name and its exact bytes.</summary>
public sealed record TimelineHistoryFile(string FileName, byte[] Content);

/// <summary>CREATE_REPLICATION_SLOT's answer.</summary>
/// <param name="ConsistentPoint">As reported: 0/0 for physical slots; null only if the server sent NULL.</param>
/// <param name="SnapshotName">Logical slots exporting a snapshot (EXPORT_SNAPSHOT / SNAPSHOT 'export').</param>
public sealed record ReplicationSlotCreated(string SlotName, Lsn? ConsistentPoint, string? SnapshotName, string? OutputPlugin);

/// <summary>READ_REPLICATION_SLOT (PostgreSQL 15+): "physical" or "logical", and where it would restart.</summary>
public sealed record ReplicationSlotInfo(string SlotType, Lsn? RestartLsn, TimelineId? RestartTimeline);

/// <summary>What a streaming START_REPLICATION ended with when the server reached the end of a timeline.</summary>
public sealed record TimelineSwitch(TimelineId NextTimeline, Lsn NextTimelineStart);

/// <summary>Slot kinds for CREATE_REPLICATION_SLOT.</summary>
public enum ReplicationSlotKind { Physical, Logical }

/// <summary>What a logical slot does with the snapshot it creates.</summary>
public enum SlotSnapshotAction
{
    /// <summary>Server default (export on a normal walsender).</summary>
    Default,
    /// <summary>EXPORT_SNAPSHOT / SNAPSHOT 'export': returns a name usable by SET TRANSACTION SNAPSHOT.</summary>
    Export,
    /// <summary>NOEXPORT_SNAPSHOT / SNAPSHOT 'nothing'.</summary>
    NoExport,
    /// <summary>USE_SNAPSHOT / SNAPSHOT 'use': the current transaction adopts it (logical replication connection).</summary>
    Use,
}

/// <summary>Options of CREATE_REPLICATION_SLOT; translated to the syntax the server's version accepts.</summary>
public sealed record CreateReplicationSlotOptions
{
    public ReplicationSlotKind Kind { get; init; } = ReplicationSlotKind.Physical;
    /// <summary>Output plugin of a logical slot (e.g. "pgoutput", "test_decoding").</summary>
    public string? OutputPlugin { get; init; }
    /// <summary>Dropped automatically at the end of the session.</summary>
    public bool Temporary { get; init; }
    /// <summary>Physical slots: reserve WAL from now on (otherwise only from the first START_REPLICATION).</summary>
    public bool ReserveWal { get; init; }
    public SlotSnapshotAction Snapshot { get; init; } = SlotSnapshotAction.Default;
}
