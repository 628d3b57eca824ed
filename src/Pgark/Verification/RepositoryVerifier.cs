using Pgark.Recovery;
using Pgark.Repository.Check;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Locks;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Verification;
using Pgark.Wal;

namespace Pgark.Verification;

/// <summary>
/// <c>pgark verify</c>: proves the backups are restorable and says to which moments. The repository's structure is checked
/// as <c>check</c> does; with read-data only packs and WAL objects not verified before are read (a rotating sample of them
/// with a percentage), and what was found intact is recorded (spec §17). Per backup: every chunk it reaches is indexed (and
/// intact where read), its WAL from start to end is present, and a physical backup's files match backup_manifest. Per
/// archive: the gaps on each timeline and the point-in-time recovery windows they leave.
/// </summary>
public sealed class RepositoryVerifier
{
    private readonly Repository.Repository _repository;

    public RepositoryVerifier(Repository.Repository repository) => _repository = repository;

    public async Task<VerifyReport> RunAsync(VerifyOptions options, CancellationToken cancellationToken = default)
    {
        // Which backups, and what earlier runs already verified.
        var all = await _repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        SnapshotInfo? only = options.Backup is { } prefix ? await _repository.FindSnapshotAsync(prefix, cancellationToken).ConfigureAwait(false) : null;
        var selected = only is null ? all : [only];
        var state = await _repository.LoadVerifyStateAsync(cancellationToken).ConfigureAwait(false);
        var sample = PackSample.For(state.SampleCursor, options.ReadData ? options.ReadDataPercent : 100);

        // The repository's structure, reading only new (or sampled) packs and new WAL objects.
        int skippedAsVerified = 0, notSampled = 0;
        bool ReadPack(ChunkId pack)
        {
            if (!options.Full && state.Packs.Contains(pack))
            {
                skippedAsVerified++;
                return false;
            }
            if (sample.Contains(pack))
                return true;
            notSampled++;
            return false;
        }
        var selectedIds = selected.Select(s => s.Id).ToHashSet();
        var scope = new CheckScope(ReadPack, wal => options.Full || !state.WalObjects.Contains(wal), selectedIds.Contains, LocateDamage: true);
        var check = await _repository.CheckAsync(scope, options.ReadData, options.Progress, cancellationToken).ConfigureAwait(false);

        // Per backup: structure problems the check attributed to it, its WAL, its manifest.
        // Each cluster's backups are checked against its own WAL (repository-format.md §8.2).
        var maps = new Dictionary<ulong, WalArchiveMap>();
        foreach (var system in all.Select(s => s.Record.Metadata.SystemIdentifier)
                     .Concat(await _repository.Wal.ListClustersAsync(cancellationToken).ConfigureAwait(false)).Distinct())
            maps[system] = await WalArchiveMap.LoadAsync(_repository, system, cancellationToken).ConfigureAwait(false);
        var hashManifests = options.ReadData && (options.Full || only is not null);
        var backups = new List<BackupVerification>();
        foreach (var snapshot in selected)
        {
            var structural = check.Errors.Where(e => e.FileName == SnapshotRecord.FileName(snapshot.Id)).Select(e => e.Message).ToList();
            var hash = hashManifests && (options.Full || !state.ManifestSnapshots.Contains(snapshot.Id));
            backups.Add(await BackupChecks.RunAsync(_repository, snapshot, maps[snapshot.Record.Metadata.SystemIdentifier], hash, structural, cancellationToken)
                .ConfigureAwait(false));
        }

        // The archive: recovery windows from the physical backups, and the gaps that cut them.
        var physical = all.Where(s => s.Record.Metadata.Kind == SnapshotKind.Physical).ToList();
        var windows = new List<PitrWindow>();
        var archive = new List<WalArchiveProblem>();
        foreach (var (system, map) in maps.OrderBy(m => m.Key))
        {
            var clusterWindows = PitrWindows.Compute(map, physical.Where(s => s.Record.Metadata.SystemIdentifier == system)).ToList();
            if (options.WindowTimes)
            {
                var store = new WalStore(_repository, system);
                for (var i = 0; i < clusterWindows.Count; i++)
                    clusterWindows[i] = clusterWindows[i] with { ToTime = await WindowTimes.LastCommitAsync(store, map, clusterWindows[i], cancellationToken).ConfigureAwait(false) };
            }
            if (only is null)
                archive.AddRange(ArchiveProblems.Find(map, clusterWindows));
            windows.AddRange(clusterWindows);
        }

        if (options.RecordState && (check.PacksVerified.Count > 0 || check.WalVerified.Count > 0 || backups.Any(b => b.ManifestHashed && b.Intact)
            || (options.ReadData && !sample.Everything)))
            await RecordAsync(state, check, backups, sample, cancellationToken).ConfigureAwait(false);
        return new VerifyReport(check, backups, archive, windows, check.PacksVerified.Count, skippedAsVerified, notSampled, check.WalVerified.Count);
    }

    /// <summary>Publishes the new state under a shared lock: what still exists of the old, plus what this run found intact.</summary>
    private async Task RecordAsync(VerifyState old, CheckReport check, List<BackupVerification> backups, PackSample sample,
        CancellationToken cancellationToken)
    {
        await using var held = await _repository.LockAsync(LockKind.Shared, "verify", cancellationToken).ConfigureAwait(false);
        var packsNow = _repository.Index.Packs.ToHashSet();
        var packs = old.Packs.Where(packsNow.Contains).Concat(check.PacksVerified).ToHashSet();
        var walNow = (await _repository.Wal.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            .Select(w => Repository.Repository.FileIdOfName(w.FileName)).ToHashSet();
        var wal = old.WalObjects.Where(walNow.Contains).Concat(check.WalVerified).ToHashSet();
        var snapshotsNow = (await _repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false)).Select(s => s.Id).ToHashSet();
        var manifests = old.ManifestSnapshots.Where(snapshotsNow.Contains)
            .Concat(backups.Where(b => b.ManifestHashed && b.Intact).Select(b => b.Snapshot.Id)).ToHashSet();
        await _repository.SaveVerifyStateAsync(new VerifyState(DateTimeOffset.UtcNow, sample.NextCursor, packs, wal, manifests), cancellationToken)
            .ConfigureAwait(false);
    }
}
