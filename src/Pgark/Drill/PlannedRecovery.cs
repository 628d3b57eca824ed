using Pgark.Recovery;

namespace Pgark.Drill;

/// <summary>
/// A drill with a recovery target recovers exactly as <c>pgark restore</c> with that target: the backup's own pg_wal
/// copies go (the plan proved the archive holds the same WAL in full), and postgresql.auto.conf gets the planner's
/// settings, restore_command = <c>pgark wal get</c>, the plan's timeline and the exact stop LSN it found.
/// </summary>
internal static class PlannedRecovery
{
    /// <summary>Before the server account is handed the directory.</summary>
    public static void Configure(string dataDirectory, RecoveryPlan plan, string restoreCommand)
    {
        PointInTimeRestore.RemoveBackupWal(Path.Combine(dataDirectory, "pg_wal"));
        IReadOnlyList<KeyValuePair<string, string>> settings = Recovery.RecoverySettings.For(plan, restoreCommand, RecoveryTargetAction.Promote);
        RecoveryConfigWriter.Write(dataDirectory, settings, $"drill of backup {plan.Backup.ShortId}, target {plan.Target}, timeline path {plan.Path}");
    }

    /// <summary>
    /// After promotion: did replay stop where the plan said? The server's own log line for the stop is the evidence
    /// (xlogrecovery.c's "recovery stopping …"), since promotion alone also follows running out of archived WAL.
    /// Null when it did, else the problem.
    /// </summary>
    public static async Task<string?> CheckReachedAsync(ScratchServer server, RecoveryPlan plan, CancellationToken cancellationToken)
    {
        string log = server.Cluster.ReadLogTail(400);
        if (plan.Stop is { } stop)
        {
            string expected = $"recovery stopping {(stop.Inclusive ? "after" : "before")} WAL location (LSN) \"{stop.Lsn}\"";
            return log.Contains(expected, StringComparison.Ordinal) ? null
                : $"recovery did not stop at the planned {stop.Lsn} for {plan.Target} (no \"{expected}\" in the server log)";
        }
        if (plan.Target.Kind == RecoveryTargetKind.Immediate)
        {
            return log.Contains("recovery stopping after reaching consistency", StringComparison.Ordinal) ? null
                : "recovery did not stop when the backup became consistent (no \"recovery stopping after reaching consistency\" in the server log)";
        }

        // Latest: everything archived must have been replayed.
        string? reached = await RecoveryWait.ReplayedLsnAsync(server, cancellationToken).ConfigureAwait(false);
        return reached is not null && Wire.Replication.Lsn.TryParse(reached, out var lsn) && lsn.Value + (ulong)plan.SegmentSize >= plan.Wal.To.Value
            ? null
            : $"recovery ended at {reached ?? "an unknown LSN"}, before the archived WAL's last segment (ending at {plan.Wal.To})";
    }
}
