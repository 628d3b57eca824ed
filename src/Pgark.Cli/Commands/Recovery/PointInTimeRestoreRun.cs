using System.Globalization;
using Pgark.Cli.Parsing;
using Pgark.Recovery;

namespace Pgark.Cli.Commands.Recovery;

/// <summary><c>pgark restore --kind physical</c> with a recovery target: plan, restore the planned backup, configure recovery.</summary>
internal static class PointInTimeRestoreRun
{
    public static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        string target = arguments.Text(Options.Target)
            ?? throw new UsageException("--target is required", "give the data directory to create with --target DIR");
        if (arguments.Has(Options.Backup))
            throw new UsageException("--backup cannot be combined with a recovery target", "the plan chooses the backup; see it with pgark plan");
        (RecoveryTarget recoveryTarget, TimelineChoice timeline) = RecoveryTargetArguments.Parse(arguments);
        RecoveryTargetAction action = ParseAction(arguments.Text(Options.TargetAction) ?? "promote");
        Repository.Repository repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);

        // Plan first: nothing is written unless the whole path to the target is proven.
        RecoveryPlan plan = await RepositoryRecovery.PlanAsync(repository, recoveryTarget, timeline, Wal.SystemIdArgument.Parse(arguments), cancellationToken)
            .ConfigureAwait(false);

        // Restore the planned backup and write the settings that stop replay at the planned record.
        var options = new PointInTimeRestoreOptions(target, PlanCommand.RestoreCommandFor(context, arguments), action, arguments.Flag(Options.Force));
        PointInTimeRestoreResult result = await new PointInTimeRestore(repository, options).RunAsync(plan, cancellationToken).ConfigureAwait(false);

        if (arguments.Flag(Options.Json))
        {
            PlanReport.WriteJson(context.Out, plan, result.Settings);
            return ExitCode.Ok;
        }
        PlanReport.WriteText(context.Out, plan, result.Settings);
        context.Out.WriteLine($"restored {plan.Backup.ShortId} into {Path.GetFullPath(target)}: {result.Physical.Files} files, "
            + $"{(result.Physical.Bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB, {result.Physical.ManifestFilesVerified} verified against backup_manifest; "
            + "recovery.signal and postgresql.auto.conf written: pg_ctl start replays to the target");
        return ExitCode.Ok;
    }

    private static RecoveryTargetAction ParseAction(string text) => text switch
    {
        "promote" => RecoveryTargetAction.Promote,
        "pause" => RecoveryTargetAction.Pause,
        "shutdown" => RecoveryTargetAction.Shutdown,
        _ => throw new UsageException($"--target-action '{text}' is not promote, pause or shutdown", "give one of promote, pause, shutdown"),
    };
}
