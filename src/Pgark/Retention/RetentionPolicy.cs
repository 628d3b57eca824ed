namespace Pgark.Retention;

/// <summary>
/// Which backups <c>pgark forget</c> keeps, with restic's meaning: each count keeps the newest backup of that many distinct
/// periods (hours are not offered: backups of a database are rarely that frequent), <see cref="Unlimited"/> keeps one per
/// period without limit, <see cref="Within"/> keeps every backup that started within that duration before the newest one.
/// A backup is kept when any rule keeps it; the reasons are reported.
/// </summary>
public sealed record RetentionPolicy
{
    /// <summary>A count of -1 keeps one backup per period, for every period (restic's "all").</summary>
    public const int Unlimited = -1;

    public int Last { get; init; }
    public int Daily { get; init; }
    public int Weekly { get; init; }
    public int Monthly { get; init; }
    public int Yearly { get; init; }
    public RetentionDuration Within { get; init; }

    /// <summary>
    /// Keep the WAL (and the base backup it needs) for point-in-time recovery to any moment of this duration before now, even
    /// when no kept backup needs it. Zero keeps only the WAL the kept backups need.
    /// </summary>
    public RetentionDuration WalWithin { get; init; }

    /// <summary>True when no rule is given: forget refuses to run such a policy, it would remove every backup.</summary>
    public bool IsEmpty => Last == 0 && Daily == 0 && Weekly == 0 && Monthly == 0 && Yearly == 0 && Within.IsZero;
}
