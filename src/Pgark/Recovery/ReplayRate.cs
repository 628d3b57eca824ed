namespace Pgark.Recovery;

/// <summary>
/// How fast PostgreSQL replays archived WAL through <c>pgark wal get</c>, for the plan's time estimate. Measured, not
/// guessed: see spec/recovery.md §6 for the run (pgbench WAL replayed by a restored PostgreSQL 15 on the 2-core test
/// machine, restore_command = pgark wal get, wall clock from start to the end of recovery divided by the WAL replayed).
/// </summary>
public static class ReplayRate
{
    /// <summary>
    /// Bytes of WAL replayed per second: 150,994,904 bytes (9 segments of pgbench -s 10 -c 2 -t 2500 WAL) in 4.56 s from
    /// pg_ctl start to pg_is_in_recovery() = false, 31.6 MiB/s, rounded to 32 MiB/s (2026-11-21, PostgreSQL 15, fsync on).
    /// </summary>
    public const long BytesPerSecond = 32L << 20;

    /// <summary>Server start and the first restore_command calls: inside the measured rate above, so no separate term.</summary>
    public static readonly TimeSpan Startup = TimeSpan.Zero;

    public static TimeSpan Estimate(long walBytes) => Startup + TimeSpan.FromSeconds((double)Math.Max(0, walBytes) / BytesPerSecond);
}
