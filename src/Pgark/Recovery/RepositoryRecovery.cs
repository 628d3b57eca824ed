using Pgark.Repository.Snapshots;
using Pgark.Wal;

namespace Pgark.Recovery;

/// <summary>Planning against a repository: its WAL archive map, its physical backups and its archived WAL.</summary>
public static class RepositoryRecovery
{
    /// <summary>
    /// Plans the recovery of cluster <paramref name="systemIdentifier"/> from its own backups and WAL (repository-format.md §8.2);
    /// null: the one cluster the repository holds physical backups or WAL of (several: <see cref="WalClusterChoiceException"/>).
    /// </summary>
    public static async Task<RecoveryPlan> PlanAsync(Repository.Repository repository, RecoveryTarget target, TimelineChoice timeline,
        ulong? systemIdentifier = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<SnapshotInfo> snapshots = await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<BackupCandidate> backups = BackupCandidate.FromSnapshots(snapshots);
        ulong cluster = systemIdentifier ?? await ClusterAsync(repository, backups, cancellationToken).ConfigureAwait(false);
        WalArchiveMap map = await WalArchiveMap.LoadAsync(repository, cluster, cancellationToken).ConfigureAwait(false);
        var planner = new RecoveryPlanner(map, [.. backups.Where(b => b.SystemIdentifier == cluster)],
            new ArchivedWalMarks(new WalStore(repository, cluster), map.SegmentSize));
        return await planner.PlanAsync(target, timeline, cancellationToken).ConfigureAwait(false);
    }

    // With one cluster in the repository nobody needs to name it; with several, planning another's backup over its WAL is refused.
    private static async Task<ulong> ClusterAsync(Repository.Repository repository, IReadOnlyList<BackupCandidate> backups, CancellationToken cancellationToken)
    {
        var clusters = new SortedSet<ulong>(backups.Select(b => b.SystemIdentifier));
        clusters.UnionWith(await repository.Wal.ListClustersAsync(cancellationToken).ConfigureAwait(false));
        return clusters.Count switch
        {
            0 => 0,
            1 => clusters.Min,
            _ => throw new WalClusterChoiceException([.. clusters], "physical backups or WAL"),
        };
    }
}
