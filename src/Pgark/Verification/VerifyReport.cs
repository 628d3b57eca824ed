using Pgark.Repository.Check;
using Pgark.Repository.Snapshots;
using Pgark.Wire.Replication;

namespace Pgark.Verification;

/// <summary>One backup's verdict: each problem in words (empty when it is intact).</summary>
/// <param name="ManifestFiles">Files compared with backup_manifest (by name and size, and by SHA-256 when <paramref name="ManifestHashed"/>).</param>
public sealed record BackupVerification(SnapshotInfo Snapshot, IReadOnlyList<string> Problems, int ManifestFiles, bool ManifestHashed,
    int WalSegmentsNeeded)
{
    public bool Intact => Problems.Count == 0;
}

/// <summary>
/// Point-in-time recovery is possible to any moment in [<paramref name="From"/>, <paramref name="To"/>) on
/// <paramref name="Timeline"/>: From is the end of the earliest backup that starts it (recovery must reach a backup's end to be
/// consistent), To the end of the archived WAL that follows without a gap. Times are the backup's end time and the last
/// commit found in the window's last segment (null when none was found).
/// </summary>
public sealed record PitrWindow(TimelineId Timeline, Lsn From, Lsn To, DateTimeOffset FromTime, DateTimeOffset? ToTime, IReadOnlyList<string> Backups);

/// <summary>WAL missing from the archive on a timeline: [From, To). <paramref name="Breaks"/> is the window that ends at the gap, if any.</summary>
public sealed record WalArchiveProblem(TimelineId Timeline, Lsn From, Lsn To, string Reason, PitrWindow? Breaks)
{
    /// <summary>A gap that ends a recovery window is an error; one before every backup only a warning.</summary>
    public bool IsError => Breaks is not null;
}

/// <summary>Everything verify found.</summary>
public sealed record VerifyReport(
    CheckReport Repository,
    IReadOnlyList<BackupVerification> Backups,
    IReadOnlyList<WalArchiveProblem> Archive,
    IReadOnlyList<PitrWindow> Windows,
    int PacksRead,
    int PacksSkippedAsVerified,
    int PacksNotSampled,
    int WalObjectsRead)
{
    public bool Healthy => !Repository.HasErrors && Backups.All(b => b.Intact) && !Archive.Any(a => a.IsError);
}
