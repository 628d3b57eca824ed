using Pgark.Physical.Restore;
using Pgark.Repository.Snapshots;
using Pgark.Wal;

namespace Pgark.Recovery;

/// <summary>How a plan is carried out.</summary>
/// <param name="RestoreCommand">restore_command as PostgreSQL runs it (see <see cref="RestoreCommandLine"/>).</param>
public sealed record PointInTimeRestoreOptions(string TargetDirectory, string RestoreCommand, RecoveryTargetAction Action = RecoveryTargetAction.Promote,
    bool Force = false);

/// <summary>What was restored and configured.</summary>
public sealed record PointInTimeRestoreResult(PhysicalRestoreResult Physical, int BackupWalSegmentsRemoved, IReadOnlyList<KeyValuePair<string, string>> Settings);

/// <summary>
/// Runs a <see cref="RecoveryPlan"/>: restores its backup, then makes the data directory replay the planned WAL from the
/// archive and stop at the planned LSN when PostgreSQL starts.
/// </summary>
public sealed class PointInTimeRestore(Repository.Repository repository, PointInTimeRestoreOptions options)
{
    public async Task<PointInTimeRestoreResult> RunAsync(RecoveryPlan plan, CancellationToken cancellationToken = default)
    {
        // The planned backup, restored and verified as any physical restore.
        SnapshotInfo snapshot = await repository.FindSnapshotAsync(plan.Backup.Id, cancellationToken).ConfigureAwait(false);
        var physical = new PhysicalRestore(repository, new PhysicalRestoreOptions { TargetDirectory = options.TargetDirectory, Force = options.Force });
        PhysicalRestoreResult restored = await physical.RunAsync(snapshot, cancellationToken).ConfigureAwait(false);

        // The backup's own pg_wal copies end zero-padded after its end; the plan proved the archive holds the same WAL
        // in full, so they are removed and every segment comes through restore_command, the WAL the plan checked.
        int removed = RemoveBackupWal(Path.Combine(Path.GetFullPath(options.TargetDirectory), "pg_wal"));

        // recovery.signal and the settings that stop replay at the planned record.
        IReadOnlyList<KeyValuePair<string, string>> settings = RecoverySettings.For(plan, options.RestoreCommand, options.Action);
        RecoveryConfigWriter.Write(Path.GetFullPath(options.TargetDirectory), settings,
            $"backup {plan.Backup.ShortId}, target {plan.Target}, timeline path {plan.Path}");
        return new PointInTimeRestoreResult(restored, removed, settings);
    }

    internal static int RemoveBackupWal(string walDirectory)
    {
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(walDirectory))
        {
            string name = Path.GetFileName(file);
            if (name.Length == WalFileName.SegmentNameLength && name.All(char.IsAsciiHexDigitUpper))
            {
                File.Delete(file);
                removed++;
            }
        }
        Physical.Restore.DirectoryFsync.Run(walDirectory);
        return removed;
    }
}
