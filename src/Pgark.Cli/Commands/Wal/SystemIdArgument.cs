using Pgark.Cli.Parsing;
using Pgark.Wal;

namespace Pgark.Cli.Commands.Wal;

/// <summary>--system-id: which cluster's WAL a command reads when the repository holds several (repository-format.md §8.2).</summary>
internal static class SystemIdArgument
{
    public static ulong? Parse(ParsedArguments arguments)
    {
        if (arguments.Text(Options.SystemId) is not { } text)
            return null;
        return WalClusters.TryParse(text, out ulong systemIdentifier) ? systemIdentifier
            : throw new UsageException($"--system-id \"{text}\" is not a system identifier",
                "give it as pg_controldata prints \"Database system identifier\" (decimal digits) or as 16 hex digits");
    }
}
