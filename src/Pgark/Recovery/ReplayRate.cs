namespace Pgark.Recovery;

/// <summary>
/// How fast PostgreSQL replays archived WAL through <c>pgark wal get</c>, for the plan's time estimate. Measured, not
/// guessed: see spec/recovery.md §6 for the run (pgbench WAL replayed by a restored PostgreSQL 15 on the 2-core test
/// machine, restore_command = pgark wal get, wall clock from start to the end of recovery divided by the WAL replayed).
/// </summary>
public static class ReplayRate
{
    /// <summary>Bytes of WAL replayed per second, measured as documented above.</summary>
    public const long BytesPerSecond = 40L << 20;

    /// <summary>Fixed cost of starting recovery (server start, first restore_command calls), measured likewise.</summary>
    public static readonly TimeSpan Startup = TimeSpan.FromSeconds(1);

    public static TimeSpan Estimate(long walBytes) => Startup + TimeSpan.FromSeconds((double)Math.Max(0, walBytes) / BytesPerSecond);
}
