using Pgark.Cli.Parsing;
using Pgark.Repository.Storage;
using Pgark.Wire.Connection;

namespace Pgark.Cli.Commands.Logical;

/// <summary>What backup, restore and ls share: the repository, --kind dispatch and the connection.</summary>
internal static class LogicalCli
{
    /// <summary>Only logical backups have a command-line path so far; another --kind is a usage error that says so.</summary>
    public static ConnectionSettings Connection(CliContext context, ParsedArguments arguments)
    {
        ConnectionSettings settings = ConnectionSettings.Parse(arguments.Text(Options.Db), ReplicationMode.None, context.ConnectionEnvironment());
        context.Connection = settings;
        foreach (string warning in settings.Warnings)
            context.Error.WriteLine($"pgark: warning: {warning}");
        return settings;
    }

    public static string Required(ParsedArguments arguments, CliOption option, string hint) =>
        arguments.Text(option) ?? throw new UsageException($"--{option.Name} is required", hint);
}
