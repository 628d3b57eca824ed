using Pgark.Cli.Help;
using Pgark.Cli.Parsing;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark help [COMMAND]</c> and <c>pgark help --markdown</c>.</summary>
internal static class HelpCommand
{
    public static readonly CommandSpec Spec = new(
        "help",
        "Show help for pgark or one command.",
        "Without a command, lists the commands, global options and exit codes. With one, shows its usage and options. "
        + "With --markdown, prints the reference of every command as Markdown; spec/cli.md is this output.",
        Arguments: "[COMMAND]",
        MaxPositionals: 1,
        RunAsync);

    private static Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        if (arguments.Flag(Options.Markdown))
        {
            context.Out.Write(MarkdownReference.Generate());
            return Task.FromResult(ExitCode.Ok);
        }
        if (arguments.Positionals.Count == 0)
        {
            context.Out.Write(HelpText.Overview());
            return Task.FromResult(ExitCode.Ok);
        }
        string name = arguments.Positionals[0];
        CommandSpec command = CommandTable.Find(name)
            ?? throw new UsageException($"unknown command \"{name}\"", "run 'pgark help' to list the commands");
        context.Out.Write(HelpText.ForCommand(command));
        return Task.FromResult(ExitCode.Ok);
    }
}
