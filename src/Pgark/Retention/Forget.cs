using System.Globalization;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Locks;
using Pgark.Repository.Snapshots;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Retention;

/// <summary>
/// <c>pgark forget</c>: applies a retention policy per cluster (system identifier) and kind, then removes the forgotten
/// snapshots and the archived WAL no kept backup needs. Forget holds a shared lock, so WAL streaming and archiving go on
/// while it runs; it refuses while any other writer (a backup in progress, prune, another forget) holds a live lock, because a
/// backup in progress may have started before the WAL cutoff. Data the forgotten snapshots alone reached is freed by prune.
/// </summary>
public sealed class Forget
{
    private readonly Repository.Repository _repository;
    public Forget(Repository.Repository repository) => _repository = repository;

    /// <summary>Works out what the policy removes without changing anything.</summary>
    public async Task<ForgetPlan> PlanAsync(RetentionPolicy policy, DateTimeOffset now, bool dryRun = true, CancellationToken cancellationToken = default)
    {
        if (policy.IsEmpty)
            throw new ArgumentException("no retention rule is given, forget would remove every backup", nameof(policy));
        var snapshots = await _repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        var pins = await _repository.ListPinsAsync(cancellationToken).ConfigureAwait(false);

        // The policy, per cluster and kind, newest first within each group.
        var backups = new List<ForgetBackup>();
        foreach (var group in snapshots.GroupBy(GroupOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var byId = group.ToDictionary(s => s.Id.ToString());
            var candidates = group.Select(s => new RetentionCandidate(s.Id.ToString(), group.Key, s.Record.Metadata.StartTime, pins.Contains(s.Id)));
            foreach (var decision in RetentionEvaluator.Apply(candidates, policy, now))
                backups.Add(new ForgetBackup(byId[decision.Backup.Id], group.Key, decision.Keep, decision.Reasons));
        }

        // Per cluster, the WAL its kept physical backups need (and --keep-wal-within's base backup, kept too).
        var wal = new List<ForgetWal>();
        foreach (var systemId in await _repository.Wal.ListClustersAsync(cancellationToken).ConfigureAwait(false))
            wal.Add(await PlanWalAsync(new WalStore(_repository, systemId), snapshots, backups, policy, now, cancellationToken).ConfigureAwait(false));
        return new ForgetPlan(backups, wal, dryRun);
    }

    private static async Task<ForgetWal> PlanWalAsync(WalStore store, IReadOnlyList<SnapshotInfo> snapshots, List<ForgetBackup> backups, RetentionPolicy policy,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var systemId = store.SystemIdentifier;
        var segments = (await store.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Where(o => o.IsSegment).ToList();
        if (segments.Count == 0)
            return new ForgetWal(systemId, null, [], ForgetPlan.EmptyArchive);
        var physical = snapshots.Where(s => WalRetention.IsPhysical(s) && s.Record.Metadata.SystemIdentifier == systemId).ToList();
        var kept = backups.Where(b => b.Keep).Select(b => b.Snapshot.Id.ToString()).ToHashSet();
        var (cutoff, walBase) = WalRetention.Compute(physical, kept, policy.WalWithin, now);
        if (walBase is not null && !kept.Contains(walBase.Id.ToString()))
        {
            var at = backups.FindIndex(b => b.Snapshot.Id == walBase.Id);
            backups[at] = backups[at] with { Keep = true, Reasons = [$"base backup for WAL within {policy.WalWithin}"] };
        }
        else if (walBase is not null)
        {
            var at = backups.FindIndex(b => b.Snapshot.Id == walBase.Id);
            backups[at] = backups[at] with { Reasons = [.. backups[at].Reasons, $"base backup for WAL within {policy.WalWithin}"] };
        }
        if (cutoff is not { } lsn)
            return new ForgetWal(systemId, null, [], "no physical backup of the archive's cluster is kept, so its WAL is left alone");
        var segmentSize = await store.ReadSegmentSizeAsync(segments[0], cancellationToken).ConfigureAwait(false);
        var remove = segments.Where(o => WalRetention.IsBefore(o.SegmentNumber, lsn, segmentSize)).ToList();
        return new ForgetWal(systemId, lsn, remove, null);
    }

    /// <summary>Plans and, unless <paramref name="dryRun"/>, removes: snapshots first, then WAL oldest first.</summary>
    public async Task<ForgetPlan> RunAsync(RetentionPolicy policy, bool dryRun, DateTimeOffset? now = null, CancellationToken cancellationToken = default)
    {
        if (dryRun)
            return await PlanAsync(policy, now ?? DateTimeOffset.UtcNow, true, cancellationToken).ConfigureAwait(false);
        await using var held = await _repository.LockAsync(LockKind.Shared, "forget", cancellationToken).ConfigureAwait(false);
        await RefuseBesideOtherWritersAsync(held, cancellationToken).ConfigureAwait(false);
        var plan = await PlanAsync(policy, now ?? DateTimeOffset.UtcNow, false, cancellationToken).ConfigureAwait(false);
        foreach (var backup in plan.Removed)
            await _repository.Store.DeleteAsync(SnapshotRecord.FileName(backup.Snapshot.Id), cancellationToken).ConfigureAwait(false);
        foreach (var cluster in plan.Wal)
        {
            var store = new WalStore(_repository, cluster.SystemIdentifier);
            foreach (var segment in cluster.ToRemove)
                await store.DeleteAsync(segment, cancellationToken).ConfigureAwait(false);
        }
        return plan;
    }

    /// <summary>Cluster and kind: the policy is applied to each such group on its own.</summary>
    public static string GroupOf(SnapshotInfo snapshot)
        => string.Create(CultureInfo.InvariantCulture, $"{snapshot.Record.Metadata.SystemIdentifier}/{snapshot.Record.Metadata.Kind.ToString().ToLowerInvariant()}");

    private async Task RefuseBesideOtherWritersAsync(RepositoryLock held, CancellationToken cancellationToken)
    {
        foreach (var (name, record) in await RepositoryLock.ListLiveAsync(_repository.Store, _repository.Options, held.FileName, cancellationToken)
            .ConfigureAwait(false))
        {
            // WAL archivers only add segments past the server's current position, far after any cutoff: they may run.
            if (record.Purpose.StartsWith("wal-stream", StringComparison.Ordinal) || record.Purpose == "archive-wal")
                continue;
            throw new RepositoryLockConflictException(
                $"cannot forget while another writer is active: {record.Describe(DateTimeOffset.UtcNow)} ({name}); run forget after it finishes");
        }
    }
}
