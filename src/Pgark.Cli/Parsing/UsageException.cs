namespace Pgark.Cli.Parsing;

/// <summary>The command line cannot be understood. Exit code 2; the hint says how to get it right.</summary>
internal sealed class UsageException(string message, string hint) : Exception(message)
{
    public string Hint { get; } = hint;
}
