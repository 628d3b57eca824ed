using Pgark.Cli;
using Pgark.Cli.Commands.Ping;

namespace Pgark.IntegrationTests.Wal;

/// <summary>Runs pgark's CLI in-process with captured output.</summary>
internal static class CliHarness
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static async Task<Result> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(TextWriter.Synchronized(output), TextWriter.Synchronized(error),
            name => name == "HOME" ? "/nonexistent-pgark-home" : Environment.GetEnvironmentVariable(name), new WireServerProbe());
        int code = await CliApp.RunAsync(args, context, cancellationToken);
        return new Result(code, output.ToString(), error.ToString());
    }
}
