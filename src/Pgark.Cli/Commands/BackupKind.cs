using Pgark.Cli.Parsing;

namespace Pgark.Cli.Commands;

/// <summary>The kinds <c>--kind</c> selects for backup and restore.</summary>
internal enum BackupKind { Physical, Logical }

internal static class BackupKinds
{
    public static BackupKind Parse(ParsedArguments arguments) => arguments.Text(Options.Kind) switch
    {
        null or "physical" => BackupKind.Physical,
        "logical" => BackupKind.Logical,
        string other => throw new UsageException($"--kind {other} is not a kind of backup", "use --kind physical (the default) or --kind logical"),
    };
}
