using System.Globalization;
using Pgark.Cli.Commands;

namespace Pgark.Cli.Parsing;

/// <summary>
/// Parses <c>pgark [global options] COMMAND [options] [arguments]</c> against the option table.
/// Accepted forms: <c>--name value</c>, <c>--name=value</c>, <c>-x</c> for options with a short name, and
/// <c>--</c> to end options. Global options may appear anywhere. Options not given are read from their
/// environment variable, if they have one.
/// </summary>
internal static class ArgumentParser
{
    public static ParsedArguments Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        (string? commandName, int commandWords) = FindCommandName(args);
        CommandSpec? command = null;
        if (commandName is not null)
        {
            command = CommandTable.Find(commandName) ?? throw new UsageException(
                $"unknown command \"{commandName}\"", SuggestCommand(commandName));
        }

        CliOption[] accepted = [.. Options.Global, .. command is null ? [] : Options.For(command.Name)];
        string context = command is null ? "pgark" : $"pgark {command.Name}";
        string helpHint = command is null ? "run 'pgark help' for the commands and options"
                                          : $"run 'pgark help {command.Name}' for its options";

        var values = new Dictionary<CliOption, string>();
        var positionals = new List<string>();
        int commandWordsSeen = 0;
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg == "-" || !arg.StartsWith('-'))
            {
                // The command's words ("ping", or "wal" then "stream") come first; later words are arguments.
                if (commandWordsSeen < commandWords && !optionsEnded)
                    commandWordsSeen++;
                else
                    positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }

            (string name, string? inlineValue) = SplitOption(arg);
            CliOption option = Find(accepted, name, arg) ?? throw new UsageException(
                $"unknown option \"{arg}\" for {context}{Suggest(name, accepted)}", helpHint);

            string value;
            if (option.Kind == OptionKind.Flag)
            {
                if (inlineValue is not null)
                    throw new UsageException($"option --{option.Name} takes no value (got \"{arg}\")", helpHint);
                value = "";
            }
            else if (inlineValue is not null)
            {
                value = inlineValue;
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"option --{option.Name} needs a value ({option.ValueName})", helpHint);
            }
            if (values.TryGetValue(option, out string? earlier))
            {
                if (!option.Repeatable)
                    throw new UsageException($"option --{option.Name} is given more than once", "give each option once");
                // Repeatable options keep every value, one per line (ParsedArguments.Texts splits them again).
                values[option] = earlier + "\n" + Validate(option, value, source: $"--{option.Name}", helpHint);
                continue;
            }
            values[option] = Validate(option, value, source: $"--{option.Name}", helpHint);
        }

        AddEnvironmentDefaults(accepted, values, environment, helpHint);
        if (command is not null && positionals.Count > command.MaxPositionals)
            throw new UsageException($"unexpected argument \"{positionals[command.MaxPositionals]}\" for {context}", helpHint);
        return new ParsedArguments(command?.Name, values, positionals);
    }

    /// <summary>
    /// The first argument that is neither an option nor the value of one, joined with the next such argument when
    /// the two name a command together ("wal stream"). Returns the name and how many words it took.
    /// </summary>
    private static (string? Name, int Words) FindCommandName(IReadOnlyList<string> args)
    {
        string? first = null;
        string? previous = null;
        foreach (string arg in args)
        {
            if (arg == "--")
                break;
            if (arg.StartsWith('-'))
            {
                previous = arg;
                continue;
            }
            if (first is null)
            {
                // Global options are flags, so a word after any other option is that option's value, not a command.
                if (previous is not null && !IsGlobalFlag(previous))
                    throw new UsageException($"option {previous} comes before the command", "write the command first: pgark COMMAND [options]");
                first = arg;
                previous = null;
                if (CommandTable.Find(first) is not null || !CommandTable.All.Any(c => c.Name.StartsWith(first + " ", StringComparison.Ordinal)))
                    return (first, 1);
                continue;
            }
            // The second word of a two-word command ("wal stream") must follow the first directly.
            return CommandTable.Find($"{first} {arg}") is not null && previous is null ? ($"{first} {arg}", 2) : (first, 1);
        }
        return (first, first is null ? 0 : 1);
    }

    private static bool IsGlobalFlag(string arg)
        => Options.Global.Any(o => arg == "--" + o.Name || (o.ShortName is { } s && arg == "-" + s));

    private static (string Name, string? Value) SplitOption(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal))
            return (arg[1..], null);
        int equals = arg.IndexOf('=');
        return equals < 0 ? (arg[2..], null) : (arg[2..equals], arg[(equals + 1)..]);
    }

    private static CliOption? Find(CliOption[] accepted, string name, string arg)
        => arg.StartsWith("--", StringComparison.Ordinal)
            ? Array.Find(accepted, o => o.Name == name)
            : name.Length == 1 ? Array.Find(accepted, o => o.ShortName == name[0]) : null;

    private static void AddEnvironmentDefaults(CliOption[] accepted, Dictionary<CliOption, string> values,
        Func<string, string?> environment, string helpHint)
    {
        foreach (CliOption option in accepted)
        {
            if (values.ContainsKey(option) || option.EnvironmentVariable is null)
                continue;
            if (environment(option.EnvironmentVariable) is { Length: > 0 } value)
                values[option] = Validate(option, value, source: $"environment variable {option.EnvironmentVariable}", helpHint);
        }
    }

    private static string Validate(CliOption option, string value, string source, string helpHint)
    {
        if (option.Kind != OptionKind.Integer)
            return value;
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
            throw new UsageException($"invalid value \"{value}\" for {source}: not a whole number", $"give a whole number from {option.Range}");
        if (number < option.Min || number > option.Max)
            throw new UsageException($"invalid value \"{value}\" for {source}: out of range {option.Range}", $"give a whole number from {option.Range}");
        return value;
    }

    private static string Suggest(string name, CliOption[] accepted)
    {
        CliOption? closest = accepted.Where(o => IsClose(o.Name, name)).MinBy(o => EditDistance(o.Name, name));
        return closest is null ? "" : $" (did you mean --{closest.Name}?)";
    }

    private static string SuggestCommand(string name)
    {
        CommandSpec? closest = CommandTable.All.Where(c => IsClose(c.Name, name)).MinBy(c => EditDistance(c.Name, name));
        return closest is null ? "run 'pgark help' to list the commands" : $"did you mean 'pgark {closest.Name}'? run 'pgark help' to list the commands";
    }

    /// <summary>A likely typo: at most two edits, and fewer edits than the typed name has characters.</summary>
    private static bool IsClose(string known, string typed)
    {
        int distance = EditDistance(known, typed);
        return distance <= 2 && distance < typed.Length;
    }

    /// <summary>
    /// Optimal string alignment distance: Levenshtein plus adjacent transpositions, the most common typo ("pnig").
    /// Names are short, so the quadratic table is fine.
    /// </summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
