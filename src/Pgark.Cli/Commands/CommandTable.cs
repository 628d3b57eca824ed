namespace Pgark.Cli.Commands;

/// <summary>Every command, in the order help lists them.</summary>
internal static class CommandTable
{
    public static readonly CommandSpec[] All =
    [
        HelpCommand.Spec,
        DemoCommand.Spec,
        InitCommand.Spec,
        PingCommand.Spec,
        BackupCommand.Spec,
        RestoreCommand.Spec,
        LsCommand.Spec,
        Wal.WalStreamCommand.Spec,
        Wal.WalPushCommand.Spec,
        Wal.WalGetCommand.Spec,
        Wal.WalShowCommand.Spec,
        Wal.StatusCommand.Spec,
        CheckCommand.Spec,
        PruneCommand.Spec,
        StatsCommand.Spec,
        CatCommand.Spec,
        SnapshotsCommand.Spec,
        Drill.DrillCommand.Spec,
        Retention.ForgetCommand.Spec,
        Retention.PinCommand.Spec,
        Retention.PinCommand.UnpinSpec,
        Verification.VerifyCommand.Spec,
        Recovery.PlanCommand.Spec,
        Tune.TuneCommand.Spec,
        Info.InfoCommand.Spec,
    ];

    public static CommandSpec? Find(string name) => Array.Find(All, c => c.Name == name);
}
