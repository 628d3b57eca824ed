using Pgark.Recovery;
using Pgark.Repository.Drills;
using Pgark.Verification;
using Pgark.Wire.Replication;

namespace Pgark.Info;

/// <summary>One backup as info shows it.</summary>
/// <param name="LogicalBytes">What a restore writes: regular files plus attached documents.</param>
/// <param name="StoredBytes">Packed size of the distinct chunks the backup references directly (shared chunks counted in each backup).</param>
public sealed record BackupInfo(string Id, string Kind, string Label, DateTimeOffset StartTime, DateTimeOffset EndTime, TimelineId Timeline,
    Lsn StartLsn, Lsn EndLsn, int PgVersion, long LogicalBytes, long StoredBytes, bool Pinned);

/// <summary>The backups of one cluster (system identifier 0 when unknown).</summary>
public sealed record ClusterInfo(ulong SystemIdentifier, IReadOnlyList<BackupInfo> Backups);

/// <summary>The streamer and recovery point: the newest durable WAL, and with a server position the RPO.</summary>
/// <param name="StreamerRunning">A live <c>wal-stream</c> lock of the archive's cluster exists.</param>
/// <param name="RpoBytes">WAL the server has and the archive lacks (only when the server was asked).</param>
/// <param name="RpoSeconds">How long the archive has not advanced while it lacks WAL; 0 when caught up; null when unknown.</param>
public sealed record RecoveryPointInfo(bool StreamerRunning, string? StreamerHost, int? StreamerPid, Lsn? NewestDurableLsn, TimelineId? NewestTimeline,
    DateTimeOffset? NewestDurableTime, Lsn? ServerLsn, long? RpoBytes, double? RpoSeconds);

/// <summary>Everything <c>pgark info</c> reports (spec/info-json.md).</summary>
public sealed record RepositoryInfo(
    string RepositoryId,
    bool Encrypted,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ClusterInfo> Clusters,
    int WalSegmentSize,
    ulong? WalSystemIdentifier,
    IReadOnlyList<WalRange> WalRanges,
    IReadOnlyList<int> HistoryTimelines,
    IReadOnlyList<WalArchiveProblem> WalGaps,
    IReadOnlyList<PitrWindow> PitrWindows,
    DrillRecord? LastDrill,
    RecoveryPointInfo RecoveryPoint);
