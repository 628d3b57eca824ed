using Pgark.Cli.Parsing;

namespace Pgark.Cli.Commands;

/// <summary>One command: its name, help text and what runs it. Its options are the rows of <see cref="Options"/> naming it.</summary>
/// <param name="Arguments">Usage text for positional arguments, e.g. "[COMMAND]"; empty when there are none.</param>
/// <param name="Description">Paragraphs separated by blank lines, shown by help and in spec/cli.md.</param>
/// <param name="Output">An example of what the command prints, shown verbatim by help and in spec/cli.md.</param>
internal sealed record CommandSpec(
    string Name,
    string Summary,
    string Description,
    string Arguments,
    int MaxPositionals,
    Func<CliContext, ParsedArguments, CancellationToken, Task<ExitCode>> RunAsync,
    string? Output = null)
{
    public IEnumerable<CliOption> Options => Pgark.Cli.Options.For(Name);

    public string Usage
    {
        get
        {
            var parts = new List<string> { "pgark", Name };
            foreach (CliOption option in Options)
                parts.Add(option.Kind == OptionKind.Flag ? $"[--{option.Name}]" : $"[--{option.Name} {option.ValueName}]");
            if (Arguments.Length > 0)
                parts.Add(Arguments);
            return string.Join(' ', parts);
        }
    }
}
