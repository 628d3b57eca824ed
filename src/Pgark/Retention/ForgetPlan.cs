using Pgark.Repository.Snapshots;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Retention;

/// <summary>One backup's fate: kept (with every reason) or removed.</summary>
public sealed record ForgetBackup(SnapshotInfo Snapshot, string Group, bool Keep, IReadOnlyList<string> Reasons);

/// <summary>
/// What forget removes (or, in a dry run, would remove): backups by policy and the WAL segments before the cutoff.
/// <see cref="WalNote"/> says why no WAL is removed when none is.
/// </summary>
public sealed record ForgetPlan(IReadOnlyList<ForgetBackup> Backups, ulong? WalSystemIdentifier, Lsn? WalCutoff,
    IReadOnlyList<WalSegmentObject> WalToRemove, string? WalNote, bool DryRun)
{
    public IEnumerable<ForgetBackup> Removed => Backups.Where(b => !b.Keep);
    public IEnumerable<ForgetBackup> Kept => Backups.Where(b => b.Keep);
}
