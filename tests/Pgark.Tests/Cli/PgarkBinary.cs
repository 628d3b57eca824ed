using System.Diagnostics;

namespace Pgark.Tests.Cli;

/// <summary>
/// The pgark program as a separate process. PGARK_BIN names an executable to test (CI points it at the published
/// single-file build, so the same tests check what ships); without it, the framework-dependent build beside the tests
/// runs through the dotnet host.
/// </summary>
internal static class PgarkBinary
{
    public const string Variable = "PGARK_BIN";

    /// <summary>The executable under test, or null when the tests run the CLI in-process.</summary>
    public static string? Published
    {
        get
        {
            string? path = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrEmpty(path))
                return null;
            return File.Exists(path) ? Path.GetFullPath(path)
                : throw new InvalidOperationException($"{Variable}={path} does not exist; publish it (scripts/publish-single-file.sh) or unset {Variable}");
        }
    }

    /// <summary>The program and the arguments that come before pgark's own: [PGARK_BIN] or [dotnet, Pgark.Cli.dll].</summary>
    public static IReadOnlyList<string> CommandPrefix =>
        Published is { } published ? [published] : ["dotnet", Path.Combine(AppContext.BaseDirectory, "Pgark.Cli.dll")];

    /// <summary>A start info for pgark with <paramref name="args"/>, output and error redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        IReadOnlyList<string> prefix = CommandPrefix;
        var start = new ProcessStartInfo(prefix[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in prefix.Skip(1).Concat(args))
            start.ArgumentList.Add(arg);
        return start;
    }
}
