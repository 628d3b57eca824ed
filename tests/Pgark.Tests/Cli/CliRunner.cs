using Pgark.Cli;
using Pgark.Cli.Commands.Ping;
using Pgark.Wire.Connection;

namespace Pgark.Tests.Cli;

/// <summary>Runs the CLI in-process with captured output and a given environment.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static Result Run(string[] args, Dictionary<string, string?>? environment = null, IServerProbe? probe = null,
        CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        // HOME points nowhere so no real ~/.pgpass is read.
        var env = new Dictionary<string, string?> { ["HOME"] = "/nonexistent-pgark-home" };
        foreach ((string key, string? value) in environment ?? [])
            env[key] = value;
        var context = new CliContext(output, error, name => env.GetValueOrDefault(name), probe ?? new RecordingProbe());
        int code = CliApp.RunAsync(args, context, cancellationToken).GetAwaiter().GetResult();
        return new Result(code, output.ToString().ReplaceLineEndings("\n"), error.ToString().ReplaceLineEndings("\n"));
    }

    /// <summary>A probe that records the settings it was given and answers or throws as told.</summary>
    internal sealed class RecordingProbe(ServerIdentity? answer = null, Exception? failure = null) : IServerProbe
    {
        public ConnectionSettings? Settings { get; private set; }

        public Task<ServerIdentity> IdentifyAsync(ConnectionSettings settings, CancellationToken cancellationToken)
        {
            Settings = settings;
            cancellationToken.ThrowIfCancellationRequested();
            if (failure is not null)
                throw failure;
            return Task.FromResult(answer ?? throw new InvalidOperationException("the test gave the probe no answer"));
        }
    }
}
