namespace Pgark.Recovery;

/// <summary>Why a recovery target cannot be reached. Printed in <c>pgark plan --json</c> as snake_case; never renumber.</summary>
public enum RecoveryRefusal
{
    /// <summary>The repository holds no physical backup of a usable timeline.</summary>
    NoBackup = 1,

    /// <summary>Every backup that could start the replay ends after the target.</summary>
    BeforeFirstBackup = 2,

    /// <summary>A segment (or the tail of one) between the backup's start and the target is not archived.</summary>
    WalGap = 3,

    /// <summary>The backup's timeline is not an ancestor of the target timeline at the backup's position.</summary>
    TimelineNotDescendant = 4,

    /// <summary>The target lies after the newest archived WAL.</summary>
    BeyondArchive = 5,

    /// <summary>The named restore point or transaction does not occur in the archived WAL after the backup.</summary>
    TargetNotFound = 6,

    /// <summary>A timeline above 1 has no archived history file, so its ancestry is unknown.</summary>
    MissingHistory = 7,

    /// <summary>The archive's objects are unreadable (a damaged name, history file or segment).</summary>
    DamagedArchive = 8,
}
