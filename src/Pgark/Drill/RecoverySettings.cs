namespace Pgark.Drill;

/// <summary>
/// The settings a drill's restored server runs with. It must never act on the source's behalf: no archiving into the
/// source's archive, no replication from its primary. With a target LSN (the recorded row counts' consistent point)
/// it runs targeted archive recovery from the WAL in pg_wal (restore_command 'false' answers "not available" for
/// anything else), stops just before the target and promotes.
/// </summary>
internal static class RecoverySettings
{
    /// <summary>What PostgreSQL logs when an exclusive LSN target stops recovery (xlogrecovery.c / xlog.c).</summary>
    private const string StoppedBeforeTarget = "recovery stopping before WAL location (LSN)";

    public static IReadOnlyDictionary<string, string> For(string? targetLsn)
    {
        var settings = new Dictionary<string, string>
        {
            ["archive_mode"] = "off",
            ["primary_conninfo"] = "",
            ["hot_standby"] = "on",
        };
        if (targetLsn is not null)
        {
            settings["restore_command"] = "false";
            settings["recovery_target_lsn"] = targetLsn;
            settings["recovery_target_inclusive"] = "off";
            settings["recovery_target_action"] = "promote";
        }
        return settings;
    }

    public static void WriteSignal(string dataDirectory)
        => File.WriteAllBytes(Path.Combine(dataDirectory, "recovery.signal"), []);

    public static bool ReachedTarget(string log) => log.Contains(StoppedBeforeTarget, StringComparison.Ordinal);

    /// <summary>timestamptz input PostgreSQL reads the same under any TimeZone and DateStyle.</summary>
    internal static string PostgresTime(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture) + "+00";
}
