using System.Diagnostics;
using Pgark.Cli;
using Pgark.Cli.Commands.Ping;

namespace Pgark.IntegrationTests.Wal;

/// <summary>
/// Runs pgark's CLI with captured output: in-process, or, when PGARK_BIN names a published pgark (CI's single-file
/// build), as that process, so the same tests check the binary that ships. Cancelling the token is what Ctrl-C does:
/// in-process it cancels the command's token, out of process it sends the real SIGINT.
/// </summary>
internal static class CliHarness
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static async Task<Result> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        if (Environment.GetEnvironmentVariable("PGARK_BIN") is { Length: > 0 } published)
            return await RunPublishedAsync(published, args, cancellationToken);
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(TextWriter.Synchronized(output), TextWriter.Synchronized(error),
            name => name == "HOME" ? "/nonexistent-pgark-home" : Environment.GetEnvironmentVariable(name), new WireServerProbe());
        int code = await CliApp.RunAsync(args, context, cancellationToken);
        return new Result(code, output.ToString(), error.ToString());
    }

    private static async Task<Result> RunPublishedAsync(string published, string[] args, CancellationToken cancellationToken)
    {
        if (!File.Exists(published))
            throw new InvalidOperationException($"PGARK_BIN={published} does not exist; publish it (scripts/publish-single-file.sh) or unset PGARK_BIN");
        var start = new ProcessStartInfo(published) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["HOME"] = "/nonexistent-pgark-home";
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await using (cancellationToken.Register(() => Interrupt(process.Id)))
            await process.WaitForExitAsync(CancellationToken.None);
        return new Result(process.ExitCode, await output, await error);
    }

    private static void Interrupt(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
    }
}
