namespace Pgark.Recovery;

/// <summary>recovery_target_action: what the server does once it reaches the target.</summary>
public enum RecoveryTargetAction
{
    /// <summary>End recovery, switch to a new timeline and accept writes.</summary>
    Promote,

    /// <summary>Stay in recovery, read-only, until pg_wal_replay_resume() (which promotes).</summary>
    Pause,

    /// <summary>Stop the server; starting it again without recovery.signal ends recovery.</summary>
    Shutdown,
}
