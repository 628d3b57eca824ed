using System.Globalization;
using Pgark.Repository.Drills;
using Pgark.Repository.Format;

namespace Pgark.Drill;

/// <summary>
/// Drill results kept in the repository as drill records (repository-format.md §18, <c>drills/</c>; the record type is
/// shared with <c>pgark info</c>): the summary of a <see cref="DrillResult"/>. Table names in a record are
/// database-qualified (<c>shop.public.orders</c>) because a physical drill checks every database.
/// </summary>
public static class DrillRecords
{
    /// <summary>Stores the summary of <paramref name="result"/>; returns its file name.</summary>
    public static Task<string> SaveAsync(Repository.Repository repository, DrillResult result, CancellationToken cancellationToken = default)
        => repository.SaveDrillRecordAsync(ToRecord(result, repository.Options.Hostname), cancellationToken);

    public static DrillRecord ToRecord(DrillResult result, string hostname) => new(
        result.SnapshotId,
        result.Kind == SnapshotKind.Physical ? "physical" : "logical",
        result.StartedAt,
        result.FinishedAt,
        result.Passed,
        result.Timings.Restore.TotalSeconds,
        result.Timings.WalReplay.TotalSeconds,
        result.Timings.Checks.TotalSeconds,
        RecoveryTarget: result.Kind == SnapshotKind.Logical ? null
            : result.RecoveryTargetTime is { } time ? "time " + time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)
            : result.RecoveryTarget is { } target ? target.ToString()
            : result.RecoveryTargetLsn is { } lsn ? "lsn " + lsn : "backup-end",
        ReachedLsn: result.ReachedLsn,
        Amcheck: !result.Amcheck.Available ? "unavailable" : result.Amcheck.Failures.Count > 0 ? "failed" : "passed",
        Failure: result.Problems.Count > 0 ? result.Problems[0] : null,
        Hostname: hostname,
        Tables: result.Tables.Select(t => new DrillTableResult($"{t.Database}.{t.Table}", t.ExpectedRows, t.RestoredRows,
            t.Match is TableMatch.Match or TableMatch.NotRecorded)).ToList());
}
