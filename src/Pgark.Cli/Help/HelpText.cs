using System.Text;
using Pgark.Cli.Commands;

namespace Pgark.Cli.Help;

/// <summary>Plain-text help for the terminal, generated from the option and command tables.</summary>
internal static class HelpText
{
    private const int Width = 100;

    public static string Overview()
    {
        var text = new StringBuilder();
        text.AppendLine("usage: pgark [--verbose] COMMAND [options]");
        text.AppendLine();
        text.AppendLine("pgark backs up PostgreSQL over its own implementation of the wire and replication protocols.");
        text.AppendLine();
        text.AppendLine("commands:");
        foreach (CommandSpec command in CommandTable.All)
            text.AppendLine($"  {command.Name,-12}{command.Summary}");
        text.AppendLine();
        AppendOptions(text, "global options:", Options.Global);
        text.AppendLine();
        text.AppendLine("exit codes:");
        foreach ((ExitCode code, string meaning, _) in ExitCodes.Table)
            text.AppendLine($"  {(int)code,3}  {meaning}");
        text.AppendLine();
        text.AppendLine("Run 'pgark help COMMAND' for a command's options.");
        return text.ToString();
    }

    public static string ForCommand(CommandSpec command)
    {
        var text = new StringBuilder();
        text.AppendLine("usage: " + command.Usage);
        text.AppendLine();
        foreach (string paragraph in command.Description.Split("\n\n"))
        {
            Wrap(text, paragraph.ReplaceLineEndings(" "), indent: "");
            text.AppendLine();
        }
        if (command.Output is { } output)
        {
            text.AppendLine("output:");
            foreach (string line in output.ReplaceLineEndings("\n").Split('\n'))
                text.AppendLine(line.Length == 0 ? "" : "  " + line);
            text.AppendLine();
        }
        if (command.Options.Any())
        {
            AppendOptions(text, "options:", command.Options);
            text.AppendLine();
        }
        AppendOptions(text, "global options:", Options.Global);
        return text.ToString();
    }

    private static void AppendOptions(StringBuilder text, string title, IEnumerable<CliOption> options)
    {
        text.AppendLine(title);
        foreach (CliOption option in options)
        {
            string left = option.ValueName is null ? option.Usage : $"{option.Usage} {option.ValueName}";
            text.AppendLine($"  {left}");
            Wrap(text, Describe(option), indent: "      ");
        }
    }

    /// <summary>The help sentence plus range, default and environment variable, as one paragraph.</summary>
    internal static string Describe(CliOption option)
    {
        var parts = new List<string> { option.Help };
        if (option.Range is { } range)
            parts.Add($"Range: {range}.");
        if (option.Default is { } defaultValue)
            parts.Add($"Default: {defaultValue}.");
        if (option.EnvironmentVariable is { } variable)
            parts.Add($"Environment: {variable}.");
        return string.Join(' ', parts);
    }

    private static void Wrap(StringBuilder text, string paragraph, string indent)
    {
        var line = new StringBuilder(indent);
        foreach (string word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > indent.Length && line.Length + 1 + word.Length > Width)
            {
                text.AppendLine(line.ToString());
                line.Clear().Append(indent);
            }
            if (line.Length > indent.Length)
                line.Append(' ');
            line.Append(word);
        }
        if (line.Length > indent.Length)
            text.AppendLine(line.ToString());
    }
}
