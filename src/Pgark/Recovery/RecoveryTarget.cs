using System.Globalization;
using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>What kind of moment a recovery stops at (PostgreSQL's recovery_target_* settings).</summary>
public enum RecoveryTargetKind
{
    /// <summary>recovery_target_time: the last transaction that completed at or before a time.</summary>
    Time,

    /// <summary>recovery_target_lsn: a WAL position.</summary>
    Lsn,

    /// <summary>recovery_target_xid: the completion (commit or abort) of one transaction.</summary>
    Xid,

    /// <summary>recovery_target_name: a restore point made with pg_create_restore_point.</summary>
    Name,

    /// <summary>No target: replay all archived WAL.</summary>
    Latest,

    /// <summary>recovery_target = 'immediate': stop as soon as the backup is consistent.</summary>
    Immediate,
}

/// <summary>
/// A moment to recover to. Inclusive by default, as PostgreSQL's recovery_target_inclusive: the target transaction
/// (or the last one at the target time) is in; exclusive stops just before it. Inclusiveness does not apply to
/// <see cref="RecoveryTargetKind.Name"/>, <see cref="RecoveryTargetKind.Latest"/> and <see cref="RecoveryTargetKind.Immediate"/>.
/// </summary>
public sealed record RecoveryTarget(RecoveryTargetKind Kind, DateTimeOffset? Time = null, Lsn? Position = null, uint? Xid = null,
    string? Name = null, bool Inclusive = true)
{
    public static RecoveryTarget AtTime(DateTimeOffset time, bool inclusive = true) => new(RecoveryTargetKind.Time, Time: time, Inclusive: inclusive);

    public static RecoveryTarget AtLsn(Lsn lsn, bool inclusive = true) => new(RecoveryTargetKind.Lsn, Position: lsn, Inclusive: inclusive);

    public static RecoveryTarget AtXid(uint xid, bool inclusive = true) => new(RecoveryTargetKind.Xid, Xid: xid, Inclusive: inclusive);

    /// <summary>A restore point; PostgreSQL always stops just after it.</summary>
    public static RecoveryTarget AtName(string name)
    {
        // rp_name is a 64-byte NUL-terminated field (MAXFNAMELEN), so longer names can never match.
        if (string.IsNullOrEmpty(name) || System.Text.Encoding.UTF8.GetByteCount(name) >= 64)
            throw new ArgumentException("a restore point name has 1 to 63 bytes", nameof(name));
        return new RecoveryTarget(RecoveryTargetKind.Name, Name: name);
    }

    public static readonly RecoveryTarget Latest = new(RecoveryTargetKind.Latest);

    public static readonly RecoveryTarget Immediate = new(RecoveryTargetKind.Immediate);

    /// <summary>"time 2026-11-21 17:00:00+00 (inclusive)", "lsn 0/3000148", "xid 742", "restore point 'before-upgrade'".</summary>
    public override string ToString() => Kind switch
    {
        RecoveryTargetKind.Time => $"time {Time!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture)}+00{Mode}",
        RecoveryTargetKind.Lsn => $"lsn {Position}{Mode}",
        RecoveryTargetKind.Xid => $"xid {Xid!.Value.ToString(CultureInfo.InvariantCulture)}{Mode}",
        RecoveryTargetKind.Name => $"restore point '{Name}'",
        RecoveryTargetKind.Latest => "latest (all archived WAL)",
        _ => "immediate (end of the backup)",
    };

    private string Mode => Inclusive ? " (inclusive)" : " (exclusive)";
}
