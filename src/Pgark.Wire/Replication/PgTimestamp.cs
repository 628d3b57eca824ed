namespace Pgark.Wire.Replication;

/// <summary>Replication messages carry times as microseconds since 2000-01-01 00:00 UTC (PostgreSQL's epoch).</summary>
public static class PgTimestamp
{
    public static readonly DateTime Epoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static DateTime ToDateTime(long microseconds) => Epoch.AddTicks(microseconds * (TimeSpan.TicksPerMillisecond / 1000));

    public static long FromDateTime(DateTime time) =>
        (time.ToUniversalTime() - Epoch).Ticks / (TimeSpan.TicksPerMillisecond / 1000);
}
