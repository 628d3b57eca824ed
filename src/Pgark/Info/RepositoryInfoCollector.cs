using Pgark.Recovery;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Locks;
using Pgark.Repository.Snapshots;
using Pgark.Verification;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Info;

/// <summary>
/// Gathers <see cref="RepositoryInfo"/>: reads every snapshot and its tree (for sizes), the WAL archive map, the drill
/// records and the locks. Reads WAL only for the last segment of each recovery window (its last commit time) and the newest
/// segment (the cluster's system identifier).
/// </summary>
public static class RepositoryInfoCollector
{
    /// <param name="server">The server's IDENTIFY_SYSTEM answer, when the caller asked it: then the RPO is measured.</param>
    public static async Task<RepositoryInfo> CollectAsync(Repository.Repository repository, IdentifySystemResult? server = null,
        DateTimeOffset? now = null, CancellationToken cancellationToken = default)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        var snapshots = await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        var pins = await repository.ListPinsAsync(cancellationToken).ConfigureAwait(false);

        // Clusters and their backups, with sizes from each tree.
        var clusters = new List<ClusterInfo>();
        foreach (var group in snapshots.GroupBy(s => s.Record.Metadata.SystemIdentifier).OrderBy(g => g.Key))
        {
            var backups = new List<BackupInfo>();
            foreach (var snapshot in group)
                backups.Add(await DescribeAsync(repository, snapshot, pins.Contains(snapshot.Id), cancellationToken).ConfigureAwait(false));
            clusters.Add(new ClusterInfo(group.Key, backups));
        }

        // The archive, per cluster (each cluster's backups over its own WAL): windows and their end times, the gaps that cut them.
        var physical = snapshots.Where(s => s.Record.Metadata.Kind == SnapshotKind.Physical).ToList();
        var walClusters = await repository.Wal.ListClustersAsync(cancellationToken).ConfigureAwait(false);
        var windows = new List<PitrWindow>();
        var gaps = new List<WalArchiveProblem>();
        foreach (var system in physical.Select(s => s.Record.Metadata.SystemIdentifier).Concat(walClusters).Distinct().Order())
        {
            var clusterMap = await WalArchiveMap.LoadAsync(repository, system, cancellationToken).ConfigureAwait(false);
            var clusterWindows = PitrWindows.Compute(clusterMap, physical.Where(s => s.Record.Metadata.SystemIdentifier == system)).ToList();
            var clusterStore = new WalStore(repository, system);
            for (var i = 0; i < clusterWindows.Count; i++)
                clusterWindows[i] = clusterWindows[i] with { ToTime = await WindowTimes.LastCommitAsync(clusterStore, clusterMap, clusterWindows[i], cancellationToken).ConfigureAwait(false) };
            gaps.AddRange(ArchiveProblems.Find(clusterMap, clusterWindows));
            windows.AddRange(clusterWindows);
        }

        // The archive's ranges and recovery point are one cluster's: the server's, else the archive's only (or newest backup's) cluster.
        ulong focus = server?.SystemId ?? (walClusters.Count == 1 ? walClusters[0]
            : physical.Count > 0 ? physical.MaxBy(s => s.Record.Metadata.EndTime)!.Record.Metadata.SystemIdentifier : walClusters.FirstOrDefault());
        var map = await WalArchiveMap.LoadAsync(repository, focus, cancellationToken).ConfigureAwait(false);
        var store = new WalStore(repository, focus);
        var status = await WalArchiveStatus.ComputeAsync(store, cancellationToken).ConfigureAwait(false);

        // The last drill, and the recovery point now.
        var drills = await repository.ListDrillRecordsAsync(cancellationToken).ConfigureAwait(false);
        var recoveryPoint = await RecoveryPointAsync(repository, status, server, at, cancellationToken).ConfigureAwait(false);
        return new RepositoryInfo(Convert.ToHexStringLower(repository.Config.RepositoryId), repository.Config.Encrypted, at, clusters,
            map.SegmentSize, status.SystemIdentifier, map.Timelines.SelectMany(t => t.Ranges).ToList(),
            map.HistoryFiles.Select(t => (int)t.Value).Order().ToList(), gaps, windows, drills.Count == 0 ? null : drills[^1], recoveryPoint);
    }

    private static async Task<BackupInfo> DescribeAsync(Repository.Repository repository, SnapshotInfo snapshot, bool pinned, CancellationToken cancellationToken)
    {
        var record = snapshot.Record;
        var referenced = new HashSet<ChunkId>(record.TreeChunks);
        long logical = record.Documents.Sum(d => d.Size);
        foreach (var document in record.Documents)
            referenced.UnionWith(document.Chunks);
        await foreach (var file in repository.ReadTreeAsync(record, cancellationToken).ConfigureAwait(false))
        {
            logical += file.Entry.Kind == FileKind.Regular ? file.Entry.Size : 0;
            foreach (var chunk in file.Chunks)
                referenced.Add(chunk.Id);
            foreach (var extent in file.Extents)
                referenced.Add(extent.ObjectId);
        }
        long stored = 0;
        foreach (var id in referenced)
            stored += repository.Index.TryGet(id, out var location) ? location.Entry.StoredLength : 0;
        var m = record.Metadata;
        return new BackupInfo(snapshot.Id.ToString(), m.Kind.ToString().ToLowerInvariant(), m.Label, m.StartTime, m.EndTime, new TimelineId(m.Timeline),
            new Lsn(m.StartLsn), new Lsn(m.EndLsn), m.PgVersion, logical, stored, pinned);
    }

    private static async Task<RecoveryPointInfo> RecoveryPointAsync(Repository.Repository repository, WalArchiveStatus status, IdentifySystemResult? server,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A streamer holds a live shared lock named after its cluster (WalStreamerLock).
        var purpose = status.SystemIdentifier is { } id ? WalStreamerLock.Purpose(id) : null;
        var streamer = (await RepositoryLock.ListLiveAsync(repository.Store, repository.Options, cancellationToken: cancellationToken).ConfigureAwait(false))
            .Select(l => l.Record).FirstOrDefault(r => purpose is null ? r.Purpose.StartsWith("wal-stream", StringComparison.Ordinal) : r.Purpose == purpose);
        Lsn? newest = status.NewestTimeline is null ? null : status.NewestDurable;
        long? rpoBytes = null;
        double? rpoSeconds = null;
        if (server is not null && newest is { } durable)
        {
            rpoBytes = Math.Max(0, server.XLogPosition - durable);
            rpoSeconds = rpoBytes == 0 ? 0 : status.NewestTime is { } t ? Math.Round((now - t).TotalSeconds, 3) : null;
        }
        return new RecoveryPointInfo(streamer is not null, streamer?.Hostname, streamer?.ProcessId, newest, status.NewestTimeline, status.NewestTime,
            server?.XLogPosition, rpoBytes, rpoSeconds);
    }
}
