using System.Diagnostics;
using Pgark.Cluster;
using Pgark.Physical.Restore;
using Pgark.Physical.RowCounts;
using Pgark.Recovery;
using Pgark.Repository;
using Pgark.Repository.Snapshots;

namespace Pgark.Drill;

// Physical: restore the data directory, recover it (to the row counts' LSN when recorded), promote, check.
public sealed partial class RestoreDrill
{
    private async Task<DrillOutcome> RunPhysicalAsync(SnapshotInfo snapshot, RecoveryPlan? plan, PgInstallation installation, DrillScratch scratch,
        CancellationToken cancellationToken)
    {
        // Restore into the scratch directory; a file that fails verification is zero-filled and listed, and the drill goes on.
        Say($"restoring {snapshot.ShortId} into {scratch.DataDirectory}");
        var clock = Stopwatch.StartNew();
        PhysicalRestoreResult restored;
        try
        {
            restored = await new PhysicalRestore(repository, new PhysicalRestoreOptions
            {
                TargetDirectory = scratch.DataDirectory,
                ContinueOnDamage = true,
                Progress = options.PhysicalRestoreProgress,
            }).RunAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }
        catch (PhysicalRestoreException e)
        {
            _problems.Add($"the restore failed: {e.Message}");
            return new DrillOutcome(null, false, new DrillTimings(clock.Elapsed, TimeSpan.Zero, TimeSpan.Zero), [], [], AmcheckReport.NotRun);
        }
        TimeSpan restoreTime = clock.Elapsed;
        IReadOnlyList<DamagedRelation> damaged = restored.Damaged.Select(d => new DamagedRelation(d.Path, null, null, null, d.Problem)).ToList();

        // The recorded row counts are valid at one LSN: recovery stops just before it.
        RowCountDocument? counts = await LoadRowCountsAsync(snapshot, cancellationToken).ConfigureAwait(false);
        string? target = counts?.Lsn;

        // A planned target instead: the counts describe another moment; recovery runs as a point-in-time restore's would,
        // with the planner's settings (restore_command = pgark wal get, the plan's timeline and stop LSN).
        if (plan is not null)
        {
            (counts, target) = (null, plan.Stop?.Lsn.ToString());
            PlannedRecovery.Configure(scratch.DataDirectory, plan, options.RestoreCommand!);
        }

        // Start a server on it and wait until recovery has reached its target and the server is promoted.
        clock.Restart();
        LocalCluster? server = await StartRestoredAsync(scratch, installation, plan, target, cancellationToken).ConfigureAwait(false);
        TimeSpan replayTime = clock.Elapsed;
        string? reached = server is null ? null : await RecoveryWait.ReplayedLsnAsync(new ScratchServer(server), cancellationToken).ConfigureAwait(false);
        if (server is null)
            return new DrillOutcome(target, counts is not null, new DrillTimings(restoreTime, replayTime, TimeSpan.Zero), [], damaged, AmcheckReport.NotRun);

        // Name the damaged files' tables, count every table, run amcheck.
        clock.Restart();
        var scratchServer = new ScratchServer(server);
        damaged = await RelationNames.ResolveAsync(scratchServer, damaged, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<TableCheck> tables = await CountPhysicalAsync(scratchServer, counts, damaged, cancellationToken).ConfigureAwait(false);
        AmcheckReport amcheck = await RunAmcheckAsync(scratchServer, cancellationToken).ConfigureAwait(false);
        return new DrillOutcome(target, counts is not null, new DrillTimings(restoreTime, replayTime, clock.Elapsed), tables, damaged, amcheck)
        {
            ReachedLsn = reached,
        };
    }

    private async Task<RowCountDocument?> LoadRowCountsAsync(SnapshotInfo snapshot, CancellationToken cancellationToken)
    {
        if (snapshot.Record.Documents.FirstOrDefault(d => d.Name == RowCountDocument.DocumentName) is not { } document)
            return null;
        try
        {
            return RowCountDocument.Decode(await repository.ReadDocumentAsync(document, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is InvalidDataException or RepositoryException)
        {
            _problems.Add($"the backup's row counts cannot be read: {e.Message}");
            return null;
        }
    }

    /// <summary>Adopts the restored directory and starts it; null (with the problem recorded) when it will not start or recover.</summary>
    private async Task<LocalCluster?> StartRestoredAsync(DrillScratch scratch, PgInstallation installation, RecoveryPlan? plan, string? targetLsn,
        CancellationToken cancellationToken)
    {
        if (plan is null && targetLsn is not null)
            RecoverySettings.WriteSignal(scratch.DataDirectory); // before Adopt, which hands every file to the server account
        var hotStandby = await HotStandbySettings.ReadAsync(installation, scratch.DataDirectory, cancellationToken).ConfigureAwait(false);
        LocalCluster server = scratch.Adopt(LocalCluster.Adopt(scratch.DataDirectory, scratch.ClusterOptions(installation, options.Timeout)));
        server.SetSettings(hotStandby);
        // With a plan its settings are in postgresql.auto.conf, read after pgark.conf; these add only the isolation.
        server.SetSettings(RecoverySettings.For(plan is null ? targetLsn : null));
        Say(plan is not null ? $"starting the restored server (recovery to {plan.Target} along timeline {plan.Path}, then promote)"
            : targetLsn is null ? "starting the restored server (recovery to the end of the backup's WAL)"
            : $"starting the restored server (recovery to just before {targetLsn}, then promote)");
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            await RecoveryWait.UntilPromotedAsync(new ScratchServer(server), options.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (LocalClusterException e)
        {
            _problems.Add($"the restored server did not start or recover: {e.Message}");
            return null;
        }
        if (plan is not null)
        {
            string? problem = await PlannedRecovery.CheckReachedAsync(new ScratchServer(server), plan, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
                _problems.Add(problem);
        }
        else if (targetLsn is not null && !RecoverySettings.ReachedTarget(server.ReadLogTail(400)))
        {
            _problems.Add($"recovery did not stop at the recorded LSN {targetLsn} (the backup's WAL ends before it), so the row counts cannot be compared exactly");
        }
        return server;
    }
}
