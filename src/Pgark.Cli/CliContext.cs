using Pgark.Cli.Commands.Ping;
using Pgark.Wire.Connection;

namespace Pgark.Cli;

/// <summary>Everything a command touches outside itself, so tests can run commands in-process and hermetically.</summary>
/// <param name="Out">Results (stdout).</param>
/// <param name="Error">Errors, warnings and hints (stderr).</param>
/// <param name="Environment">Environment variable lookup.</param>
/// <param name="ServerProbe">How ping reaches a server.</param>
internal sealed record CliContext(TextWriter Out, TextWriter Error, Func<string, string?> Environment, IServerProbe ServerProbe)
{
    /// <summary>Set from --verbose before the command runs.</summary>
    public bool Verbose { get; set; }

    /// <summary>The connection a command is making, once resolved; error hints name its user and host.</summary>
    public ConnectionSettings? Connection { get; set; }

    /// <summary>The real process: console streams, process environment, pgark's own wire layer.</summary>
    public static CliContext ForProcess() =>
        new(Console.Out, Console.Error, System.Environment.GetEnvironmentVariable, new WireServerProbe());

    /// <summary>The variables ConnectionSettings.Parse reads (PGHOST, PGPORT, ..., HOME), looked up in <see cref="Environment"/>.</summary>
    public IReadOnlyDictionary<string, string?> ConnectionEnvironment()
        => ConnectionSettings.EnvironmentVariables.ToDictionary(name => name, name => Environment(name));
}
