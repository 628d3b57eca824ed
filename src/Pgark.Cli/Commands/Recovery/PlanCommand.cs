using Pgark.Cli.Parsing;
using Pgark.Recovery;

namespace Pgark.Cli.Commands.Recovery;

/// <summary><c>pgark plan</c>: which backup, timeline path and WAL reach a moment, proven before anything is written.</summary>
internal static class PlanCommand
{
    public static readonly CommandSpec Spec = new(
        "plan",
        "Show how a point-in-time recovery would reach a target, or why it cannot.",
        "Picks the newest physical backup that is consistent before the target and lies on the target timeline's history "
        + "(the timeline history files decide), proves that every WAL segment from the backup's start to the target is "
        + "archived (a partial segment counts up to its length), and finds the exact record where replay stops: for a "
        + "time, the first transaction that completed after it (the last one at or before it is shown too), for an xid "
        + "its commit or abort, for a restore point its record. Only the WAL around the target is read. It prints the "
        + "backup, the timeline path, the WAL to replay, an estimated replay time and the recovery settings restore "
        + "would write (recovery_target_lsn is always the exact LSN found).\n\n"
        + "Exits 10 when the target cannot be reached (before the first backup, a missing WAL segment, a timeline that "
        + "does not descend from the backup's, beyond the archived WAL, a restore point or xid not in the WAL); with "
        + "--json the reason is then printed as {\"refused\": {...}}.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            target:         time 2026-11-21 17:00:00+00 (inclusive)
            backup:         3f2a9c1e on timeline 1 (consistent from 0/2000100, finished 2026-11-21 16:40:02.000000+00)
            timeline path:  1
            stops at:       0/5001A28, before the record there (recovery_target_inclusive = off)
            last in:        commit of xid 742 at 2026-11-21 16:59:58.123456+00 (0/50019A0)
            first out:      commit of xid 743 at 2026-11-21 17:00:00.200000+00 (0/5001A28)
            WAL to replay:  0/2000028 .. 0/5001A28, 48.0 MiB in 4 segment(s) (000000010000000000000002 .. 000000010000000000000005)
            estimated:      2.2 s (replay at 40 MiB/s)
            settings:
              restore_command = '''/usr/local/bin/pgark'' wal get --repo ''/backup/repo'' %f %p'
              recovery_target_timeline = '1'
              recovery_target_lsn = '0/5001A28'
              recovery_target_inclusive = 'off'
              recovery_target_action = 'promote'
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        (RecoveryTarget target, TimelineChoice timeline) = RecoveryTargetArguments.Parse(arguments);
        Repository.Repository repository = await RepositoryLocation.OpenAsync(context, arguments, loadIndex: false, cancellationToken).ConfigureAwait(false);
        bool json = arguments.Flag(Options.Json);
        RecoveryPlan plan;
        try
        {
            plan = await RepositoryRecovery.PlanAsync(repository, target, timeline, Wal.SystemIdArgument.Parse(arguments), cancellationToken).ConfigureAwait(false);
        }
        catch (RecoveryPlanException refused) when (json)
        {
            PlanReport.WriteRefusalJson(context.Out, refused);
            return ExitCode.TargetUnreachable;
        }
        IReadOnlyList<KeyValuePair<string, string>> settings = RecoverySettings.For(plan, RestoreCommandFor(context, arguments), RecoveryTargetAction.Promote);
        if (json)
            PlanReport.WriteJson(context.Out, plan, settings);
        else
            PlanReport.WriteText(context.Out, plan, settings);
        return ExitCode.Ok;
    }

    /// <summary>restore_command for this repository, run by PostgreSQL as the server's account.</summary>
    public static string RestoreCommandFor(CliContext context, ParsedArguments arguments)
        => RestoreCommandLine.For(PgarkExecutable.Resolve(context), RepositoryLocation.Directory(arguments), arguments.Text(Options.PassphraseFile));
}
