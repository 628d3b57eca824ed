using System.Globalization;
using Pgark.Cli.Parsing;
using Pgark.Recovery;
using Pgark.Wire.Replication;

namespace Pgark.Cli.Commands.Recovery;

/// <summary>The target options shared by <c>plan</c> and <c>restore</c>: exactly one of them names the moment.</summary>
internal static class RecoveryTargetArguments
{
    private static readonly CliOption[] s_targets =
        [Options.TargetTime, Options.TargetLsn, Options.TargetXid, Options.TargetName, Options.Latest, Options.Immediate];

    private static readonly string[] s_timeFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFzzz", "yyyy-MM-dd HH:mm:ss.FFFFFFzz", "yyyy-MM-dd HH:mm:ss.FFFFFF",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFzzz", "yyyy-MM-ddTHH:mm:ss.FFFFFFzz", "yyyy-MM-ddTHH:mm:ss.FFFFFFK", "yyyy-MM-ddTHH:mm:ss.FFFFFF",
    ];

    /// <summary>True when any target option is given (restore then recovers to it).</summary>
    public static bool IsGiven(ParsedArguments arguments) => s_targets.Any(arguments.Has);

    public static (RecoveryTarget Target, TimelineChoice Timeline) Parse(ParsedArguments arguments)
    {
        CliOption[] given = [.. s_targets.Where(arguments.Has)];
        if (given.Length != 1)
            throw new UsageException(given.Length == 0 ? "no recovery target given" : $"give one recovery target, not {string.Join(" and ", given.Select(o => "--" + o.Name))}",
                "name the moment with one of --target-time, --target-lsn, --target-xid, --target-name, --latest, --immediate");
        bool inclusive = !arguments.Flag(Options.Exclusive);
        if (!inclusive && given[0] == Options.Latest || !inclusive && given[0] == Options.Immediate || !inclusive && given[0] == Options.TargetName)
            throw new UsageException($"--exclusive does not apply to --{given[0].Name}", "use it with --target-time, --target-lsn or --target-xid");
        string value = arguments.Text(given[0]) ?? "";
        RecoveryTarget target = given[0] switch
        {
            _ when given[0] == Options.TargetTime => RecoveryTarget.AtTime(ParseTime(value), inclusive),
            _ when given[0] == Options.TargetLsn => RecoveryTarget.AtLsn(Lsn.TryParse(value, out Lsn lsn) && lsn.IsValid ? lsn
                : throw new UsageException($"--target-lsn '{value}' is not an LSN", "write it as pg_current_wal_lsn() prints it, e.g. 0/3000148"), inclusive),
            _ when given[0] == Options.TargetXid => RecoveryTarget.AtXid(uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint xid) && xid >= 3 ? xid
                : throw new UsageException($"--target-xid '{value}' is not a transaction id", "give the decimal xid (3 to 4294967295), as txid_current() or pg_current_xact_id() shows it modulo 2^32"), inclusive),
            _ when given[0] == Options.TargetName => value.Length is > 0 && System.Text.Encoding.UTF8.GetByteCount(value) < 64 ? RecoveryTarget.AtName(value)
                : throw new UsageException($"--target-name '{value}' is not a restore point name", "restore point names have 1 to 63 bytes"),
            _ when given[0] == Options.Latest => RecoveryTarget.Latest,
            _ => RecoveryTarget.Immediate,
        };
        return (target, ParseTimeline(arguments.Text(Options.Timeline) ?? "latest"));
    }

    private static DateTimeOffset ParseTime(string text)
    {
        // PostgreSQL prints offsets as +01 (two digits), which .NET's zzz does not read; both forms are accepted.
        string normalized = text.Trim().EndsWith('Z') ? text.Trim()[..^1] + "+00:00" : text.Trim();
        if (DateTimeOffset.TryParseExact(normalized, s_timeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out DateTimeOffset time))
            return time;
        throw new UsageException($"--target-time '{text}' is not a time",
            "write it as ISO 8601 with an offset, e.g. \"2026-11-21 17:00:00+01\" or 2026-11-21T16:00:00Z (no offset means UTC)");
    }

    private static TimelineChoice ParseTimeline(string text)
        => TimelineChoice.TryParse(text, out TimelineChoice choice) ? choice
            : throw new UsageException($"--timeline '{text}' is not a timeline", "give latest, current or a timeline number (decimal, as pg_control_checkpoint() shows it)");
}
