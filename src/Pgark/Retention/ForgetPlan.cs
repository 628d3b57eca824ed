using Pgark.Repository.Snapshots;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Retention;

/// <summary>One backup's fate: kept (with every reason) or removed.</summary>
public sealed record ForgetBackup(SnapshotInfo Snapshot, string Group, bool Keep, IReadOnlyList<string> Reasons);

/// <summary>
/// One cluster's WAL under forget: the segments before <paramref name="Cutoff"/>, which its own kept physical backups do not
/// need (repository-format.md §8.2: each cluster's WAL is kept relative to that cluster's backups). <paramref name="Note"/>
/// says why none is removed when none is.
/// </summary>
public sealed record ForgetWal(ulong SystemIdentifier, Lsn? Cutoff, IReadOnlyList<WalSegmentObject> ToRemove, string? Note);

/// <summary>What forget removes (or, in a dry run, would remove): backups by policy and, per cluster, the WAL before its cutoff.</summary>
public sealed record ForgetPlan(IReadOnlyList<ForgetBackup> Backups, IReadOnlyList<ForgetWal> Wal, bool DryRun)
{
    public IEnumerable<ForgetBackup> Removed => Backups.Where(b => !b.Keep);
    public IEnumerable<ForgetBackup> Kept => Backups.Where(b => b.Keep);

    /// <summary>Every WAL object removed, all clusters.</summary>
    public IReadOnlyList<WalSegmentObject> WalToRemove => [.. Wal.SelectMany(w => w.ToRemove)];

    /// <summary>The cutoff when the archive holds one cluster's WAL (null otherwise; see <see cref="Wal"/>).</summary>
    public Lsn? WalCutoff => Wal.Count == 1 ? Wal[0].Cutoff : null;

    /// <summary>Why no WAL is removed, when the archive holds one cluster's WAL or none.</summary>
    public string? WalNote => Wal.Count == 0 ? EmptyArchive : Wal.Count == 1 ? Wal[0].Note : null;

    public const string EmptyArchive = "the WAL archive is empty";
}
