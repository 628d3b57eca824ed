using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// A physical backup as the planner sees it: replay starts at <paramref name="StartLsn"/> (the backup's checkpoint redo
/// point) on <paramref name="Timeline"/> and the cluster is consistent once replay passes <paramref name="EndLsn"/>.
/// </summary>
public sealed record BackupCandidate(string Id, TimelineId Timeline, Lsn StartLsn, Lsn EndLsn, DateTimeOffset EndTime, ulong SystemIdentifier)
{
    public string ShortId => Id.Length > 8 ? Id[..8] : Id;

    /// <summary>The physical snapshots of a repository listing, oldest first.</summary>
    public static IReadOnlyList<BackupCandidate> FromSnapshots(IEnumerable<SnapshotInfo> snapshots)
        => [.. snapshots.Where(s => s.Record.Metadata.Kind == SnapshotKind.Physical)
            .Select(s => new BackupCandidate(s.Id.ToString(), new TimelineId(s.Record.Metadata.Timeline), new Lsn(s.Record.Metadata.StartLsn),
                new Lsn(s.Record.Metadata.EndLsn), s.Record.Metadata.EndTime, s.Record.Metadata.SystemIdentifier))
            .OrderBy(b => b.EndLsn).ThenBy(b => b.EndTime)];
}
