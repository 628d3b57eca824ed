namespace Pgark.Cli.Commands;

/// <summary>Every command, in the order help lists them.</summary>
internal static class CommandTable
{
    public static readonly CommandSpec[] All =
    [
        HelpCommand.Spec,
        PingCommand.Spec,
        DemoCommand.Spec,
        InitCommand.Spec,
        CheckCommand.Spec,
        PruneCommand.Spec,
        StatsCommand.Spec,
        CatCommand.Spec,
        SnapshotsCommand.Spec,
    ];

    public static CommandSpec? Find(string name) => Array.Find(All, c => c.Name == name);
}
