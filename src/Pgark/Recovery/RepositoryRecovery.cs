using Pgark.Repository.Snapshots;
using Pgark.Wal;

namespace Pgark.Recovery;

/// <summary>Planning against a repository: its WAL archive map, its physical backups and its archived WAL.</summary>
public static class RepositoryRecovery
{
    public static async Task<RecoveryPlan> PlanAsync(Repository.Repository repository, RecoveryTarget target, TimelineChoice timeline,
        CancellationToken cancellationToken = default)
    {
        WalArchiveMap map = await WalArchiveMap.LoadAsync(repository, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<SnapshotInfo> snapshots = await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        var planner = new RecoveryPlanner(map, BackupCandidate.FromSnapshots(snapshots), new ArchivedWalMarks(new WalStore(repository), map.SegmentSize));
        return await planner.PlanAsync(target, timeline, cancellationToken).ConfigureAwait(false);
    }
}
