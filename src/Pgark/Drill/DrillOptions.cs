namespace Pgark.Drill;

/// <summary>What a restore drill restores and how.</summary>
public sealed record DrillOptions
{
    /// <summary>Snapshot id prefix (at least 4 hex digits) or "latest" (the newest snapshot of any kind).</summary>
    public string Backup { get; init; } = "latest";

    /// <summary>Server programs to run the scratch server with; null finds the backup's major (see <see cref="Cluster.PgBinaries"/>).</summary>
    public string? PgBinDirectory { get; init; }

    /// <summary>
    /// Physical drills: recover to this target with the continuous archive's WAL, as <c>pgark restore</c> with the same
    /// target would. The drill plans first (<see cref="Recovery.RepositoryRecovery.PlanAsync"/>; a target the archive
    /// cannot reach throws <see cref="Recovery.RecoveryPlanException"/>), restores the plan's backup (so
    /// <see cref="Backup"/> must stay "latest") and replays through <see cref="RestoreCommand"/>. Row counts recorded at
    /// backup time describe another moment and are not compared. Null: recover to the snapshot's own end.
    /// </summary>
    public Recovery.RecoveryTarget? Target { get; init; }

    /// <summary>The timeline to recover along with <see cref="Target"/> (recovery_target_timeline).</summary>
    public Recovery.TimelineChoice Timeline { get; init; } = Recovery.TimelineChoice.Latest;

    /// <summary>
    /// restore_command the scratch server fetches archived WAL with (<see cref="Recovery.RestoreCommandLine.For"/>:
    /// <c>pgark wal get --repo R %f %p</c>, run as the server's account); required with <see cref="Target"/>.
    /// </summary>
    public string? RestoreCommand { get; init; }

    /// <summary>
    /// The cluster to plan for when the repository holds backups or WAL of several (repository-format.md §8.2); null: its only
    /// one. The plan's cluster is added to <see cref="RestoreCommand"/> as <c>--system-id</c>.
    /// </summary>
    public ulong? SystemIdentifier { get; init; }

    /// <summary>Where the scratch directory is created (it needs room for the restored data); null is /tmp.</summary>
    public string? ScratchParent { get; init; }

    /// <summary>Leave the scratch server running and its directory in place (<see cref="DrillResult.Kept"/> says where).</summary>
    public bool Keep { get; init; }

    /// <summary>Run amcheck (bt_index_check, and verify_heapam on PostgreSQL 14+) when the extension is available.</summary>
    public bool Amcheck { get; init; } = true;

    /// <summary>Store the result as a drill record in the repository (drills/, spec/drill.md).</summary>
    public bool Record { get; init; } = true;

    /// <summary>Logical drills: connections loading tables in parallel.</summary>
    public int Jobs { get; init; } = 2;

    /// <summary>How long the scratch server may take to start and to finish recovery.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Receives one line per step (restoring, starting, counting, …); may be null.</summary>
    public IProgress<string>? Progress { get; init; }

    /// <summary>Told how far the restore of a physical backup has got (as <see cref="Physical.Restore.PhysicalRestoreOptions.Progress"/>); may be null.</summary>
    public IProgress<Physical.Restore.PhysicalRestoreProgress>? PhysicalRestoreProgress { get; init; }

    /// <summary>Told how far the load of a logical backup has got (as <see cref="Logical.Restore.LogicalRestoreOptions.Progress"/>); may be null.</summary>
    public IProgress<Logical.Restore.LogicalRestoreProgress>? LogicalRestoreProgress { get; init; }
}
