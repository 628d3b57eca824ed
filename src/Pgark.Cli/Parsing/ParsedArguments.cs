using System.Globalization;

namespace Pgark.Cli.Parsing;

/// <summary>What the parser found: option values (already validated against the table) and positional arguments.</summary>
internal sealed class ParsedArguments
{
    private readonly Dictionary<CliOption, string> _values;

    public ParsedArguments(string? command, Dictionary<CliOption, string> values, IReadOnlyList<string> positionals)
    {
        Command = command;
        _values = values;
        Positionals = positionals;
    }

    /// <summary>The command name, or null when none was given (pgark --help, pgark --version).</summary>
    public string? Command { get; }

    public IReadOnlyList<string> Positionals { get; }

    public bool Has(CliOption option) => _values.ContainsKey(option);

    public bool Flag(CliOption option) => _values.ContainsKey(option);

    public string? Text(CliOption option) => _values.GetValueOrDefault(option);

    /// <summary>Every value of a repeatable option, in the order given.</summary>
    public IReadOnlyList<string> Texts(CliOption option) => _values.TryGetValue(option, out string? value) ? value.Split('\n') : [];

    /// <summary>The integer value, or null when the option was not given (the parser checked syntax and range).</summary>
    public long? Integer(CliOption option)
        => _values.TryGetValue(option, out string? text) ? long.Parse(text, CultureInfo.InvariantCulture) : null;
}
