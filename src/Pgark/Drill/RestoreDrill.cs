using Pgark.Cluster;
using Pgark.Recovery;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;

namespace Pgark.Drill;

/// <summary>
/// A restore drill: restores a snapshot into a scratch directory and a scratch server pgark starts itself, waits until
/// recovery reached its target, compares every table with the figures recorded at backup time, runs amcheck, and
/// measures how long each part took. A drill reports; it never throws for what it finds (damaged data, mismatched
/// counts, a restored server that will not start): those are <see cref="DrillResult.Problems"/>. It throws only when
/// it cannot run at all (no such snapshot, no server binaries of the backup's major, an unreadable repository).
/// </summary>
/// <example><code>
/// DrillResult result = await new RestoreDrill(repository, new DrillOptions { Backup = "latest" }).RunAsync();
/// if (!result.Passed) Console.Error.WriteLine(string.Join("\n", result.Problems));
/// </code></example>
public sealed partial class RestoreDrill(Repository.Repository repository, DrillOptions options)
{
    private readonly List<string> _problems = [];

    public async Task<DrillResult> RunAsync(CancellationToken cancellationToken = default)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;

        // With a target the planner picks the backup and proves the WAL to the target archived, before anything is
        // restored; otherwise the snapshot asked for. Then the server programs of its major.
        RecoveryPlan? plan = await PlanAsync(cancellationToken).ConfigureAwait(false);
        SnapshotInfo snapshot = plan is null ? await FindSnapshotAsync(cancellationToken).ConfigureAwait(false)
            : await repository.FindSnapshotAsync(plan.Backup.Id, cancellationToken).ConfigureAwait(false);
        SnapshotMetadata metadata = snapshot.Record.Metadata;
        PgInstallation installation = FindInstallation(metadata);

        // Restore, start, wait, check: each kind in its own file.
        await using var scratch = new DrillScratch(options.ScratchParent, options.Keep);
        DrillOutcome outcome = metadata.Kind == SnapshotKind.Physical
            ? await RunPhysicalAsync(snapshot, plan, installation, scratch, cancellationToken).ConfigureAwait(false)
            : await RunLogicalAsync(snapshot, installation, scratch, cancellationToken).ConfigureAwait(false);

        // Collect every problem into the result, then record it in the repository.
        var result = new DrillResult(snapshot.Id.ToString(), metadata.Kind, metadata.PgVersion, started, DateTimeOffset.UtcNow,
            outcome.RecoveryTargetLsn, outcome.ReachedLsn, outcome.RowCountsRecorded, outcome.Timings, outcome.Tables, outcome.Damaged, outcome.Amcheck,
            [.. _problems, .. Findings(outcome)], scratch.Describe())
        {
            RecoveryTargetTime = plan?.Target.Kind == RecoveryTargetKind.Time ? plan.Target.Time : null,
            RecoveryTarget = plan?.Target,
        };
        if (options.Record)
            await DrillRecords.SaveAsync(repository, result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>What one kind's drill measured; the runbook turns it into a <see cref="DrillResult"/>.</summary>
    private sealed record DrillOutcome(string? RecoveryTargetLsn, bool RowCountsRecorded, DrillTimings Timings, IReadOnlyList<TableCheck> Tables,
        IReadOnlyList<DamagedRelation> Damaged, AmcheckReport Amcheck)
    {
        public string? ReachedLsn { get; init; }
    }

    private async Task<RecoveryPlan?> PlanAsync(CancellationToken cancellationToken)
    {
        if (options.Target is not { } target)
            return null;
        if (options.Backup != "latest")
            throw new DrillException("--backup cannot be combined with a recovery target", "the plan chooses the backup; see it with pgark plan");
        if (options.RestoreCommand is null)
            throw new ArgumentException("a drill with a recovery target needs DrillOptions.RestoreCommand", nameof(options));
        Say($"planning recovery to {target}");
        RecoveryPlan plan = await RepositoryRecovery.PlanAsync(repository, target, options.Timeline, options.SystemIdentifier, cancellationToken).ConfigureAwait(false);
        Say($"plan: backup {plan.Backup.ShortId}, timeline path {plan.Path}, {(plan.Wal.Bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} MiB of archived WAL to replay");
        return plan;
    }

    private async Task<SnapshotInfo> FindSnapshotAsync(CancellationToken cancellationToken)
    {
        if (options.Backup != "latest")
            return await repository.FindSnapshotAsync(options.Backup, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<SnapshotInfo> all = await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        return all.Count > 0 ? all[^1] : throw new DrillException("the repository has no backup to drill",
            "take one with pgark backup --repo DIR --db CONNINFO");
    }

    /// <summary>
    /// Physical data directories only start with their own major; a logical backup loads into its major or a newer one.
    /// </summary>
    private PgInstallation FindInstallation(SnapshotMetadata metadata)
    {
        int major = metadata.PgVersion / 10000;
        if (options.PgBinDirectory is null)
        {
            return metadata.Kind == SnapshotKind.Physical || PgBinaries.TryFind(major) is not null
                ? PgBinaries.Find(major)
                : PgBinaries.Available().FirstOrDefault(i => i.Major >= major) ?? PgBinaries.Find(major);
        }
        PgInstallation given = PgBinaries.Find(binDirectory: options.PgBinDirectory);
        bool fits = metadata.Kind == SnapshotKind.Physical ? given.Major == major : given.Major >= major;
        if (!fits || !string.Equals(Path.GetFullPath(given.BinDirectory), Path.GetFullPath(options.PgBinDirectory), StringComparison.Ordinal))
        {
            throw new DrillException($"--pg-bin {options.PgBinDirectory} is not a PostgreSQL {major} installation " +
                $"(found {given})", $"give the bin directory of PostgreSQL {major} (the backup's major)");
        }
        return given;
    }

    private static IEnumerable<string> Findings(DrillOutcome outcome)
    {
        foreach (DamagedRelation damaged in outcome.Damaged)
            yield return $"{damaged.Path}{(damaged.Relation is null ? "" : $" ({damaged.Relation})")} is damaged in the repository: {damaged.Problem}";
        foreach (TableCheck table in outcome.Tables.Where(t => t.Match is TableMatch.Mismatch or TableMatch.Missing))
        {
            yield return table.Match == TableMatch.Missing
                ? $"table {table.Database}: {table.Table} was recorded with {table.ExpectedRows} rows but is missing from the restored server"
                : $"table {table.Database}: {table.Table} has {table.RestoredRows} rows restored, {table.ExpectedRows} recorded" +
                  (table.ExpectedChecksum is not null && table.ExpectedChecksum != table.RestoredChecksum ? " (checksums differ)" : "");
        }
        foreach (string failure in outcome.Amcheck.Failures)
            yield return "amcheck: " + failure;
    }

    private void Say(string step) => options.Progress?.Report(step);
}

/// <summary>A drill that cannot run at all (as opposed to one that runs and finds problems).</summary>
public sealed class DrillException(string message, string hint) : Exception(message)
{
    public string Hint { get; } = hint;
}
