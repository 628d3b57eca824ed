using System.Globalization;

namespace Pgark.Recovery;

/// <summary>
/// The recovery settings a plan needs, in the order written to postgresql.auto.conf (spec/recovery.md §5). The target
/// is always the exact LSN the plan found, not the user's time, xid or name, so replay stops at the same record the
/// plan showed however PostgreSQL would have interpreted the original target.
/// </summary>
public static class RecoverySettings
{
    public static IReadOnlyList<KeyValuePair<string, string>> For(RecoveryPlan plan, string restoreCommand, RecoveryTargetAction action)
    {
        var settings = new List<KeyValuePair<string, string>>
        {
            new("restore_command", RestoreCommandLine.ForCluster(restoreCommand, plan.Backup.SystemIdentifier)),
            new("recovery_target_timeline", plan.TargetTimeline.Value.ToString(CultureInfo.InvariantCulture)),
        };
        switch (plan.Target.Kind)
        {
            case RecoveryTargetKind.Latest:
                return settings; // no target: replay until the archive has no next file
            case RecoveryTargetKind.Immediate:
                settings.Add(new("recovery_target", "immediate"));
                break;
            default:
                settings.Add(new("recovery_target_lsn", plan.Stop!.Lsn.ToString()));
                settings.Add(new("recovery_target_inclusive", plan.Stop.Inclusive ? "on" : "off"));
                break;
        }
        settings.Add(new("recovery_target_action", action.ToString().ToLowerInvariant()));
        return settings;
    }

    /// <summary>
    /// A value as postgresql.conf quotes it: single quotes, an embedded quote doubled and a backslash doubled. The
    /// config scanner reads backslash escapes inside quoted values, so without the doubling the shell's <c>'\''</c> (how
    /// restore_command quotes an apostrophe in a path) would lose its backslash and end the value early.
    /// </summary>
    public static string QuoteValue(string value)
        => "'" + value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
}
