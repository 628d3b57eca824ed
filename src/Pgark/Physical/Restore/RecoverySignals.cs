namespace Pgark.Physical.Restore;

/// <summary>
/// standby.signal and recovery.signal at the root of a data directory switch PostgreSQL into standby or targeted
/// recovery at start. BASE_BACKUP copies them (they are not in its exclude list), so a backup taken from a standby carries
/// standby.signal, and a copy restored with it would come up as a standby of whatever primary_conninfo names, never as a
/// primary of its own. The mode a restored cluster starts in is the restorer's choice (a drill writes its own
/// recovery.signal), so restore leaves both out; they stay in the snapshot and its backup_manifest, byte for byte.
/// </summary>
internal static class RecoverySignals
{
    public const string Standby = "standby.signal";
    public const string Recovery = "recovery.signal";

    /// <summary>True for the two signal files at the data directory's root (never inside pg_tblspc or elsewhere).</summary>
    public static bool IsSignal(string snapshotPath) => snapshotPath is Standby or Recovery;
}
