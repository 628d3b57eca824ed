using Pgark.Cli;
using Pgark.Cli.Commands.Ping;
using Pgark.Wire.Connection;

namespace Pgark.Tests.Cli;

/// <summary>
/// Runs the CLI in-process with captured output and a given environment; or, when PGARK_BIN names a published pgark
/// (CI's single-file build), runs that file as a process with the same arguments and environment, so these tests check
/// the binary that ships. Calls that inject a scripted probe or a cancellation token stay in-process: neither can
/// cross a process boundary.
/// </summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static Result Run(string[] args, Dictionary<string, string?>? environment = null, IServerProbe? probe = null,
        CancellationToken cancellationToken = default)
    {
        if (PgarkBinary.Published is not null && probe is null or WireServerProbe && !cancellationToken.CanBeCanceled)
            return RunPublished(args, environment);
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

    /// <summary>
    /// The published file with <paramref name="args"/>. The in-process run sees only the variables the test gives (and
    /// HOME pointing nowhere); the process keeps the rest of the environment (PATH, TMPDIR) but loses every variable
    /// pgark itself reads, so a developer's PGHOST or PGARK_REPO cannot leak into a test either way.
    /// </summary>
    private static Result RunPublished(string[] args, Dictionary<string, string?>? environment)
    {
        var start = PgarkBinary.StartInfo(args);
        foreach (string name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("PGARK_", StringComparison.Ordinal) || ConnectionSettings.EnvironmentVariables.Contains(name))
                start.Environment.Remove(name);
        }
        start.Environment["HOME"] = "/nonexistent-pgark-home";
        foreach ((string key, string? value) in environment ?? [])
            start.Environment[key] = value;
        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new Result(process.ExitCode, output.GetAwaiter().GetResult().ReplaceLineEndings("\n"), error.GetAwaiter().GetResult().ReplaceLineEndings("\n"));
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
