using System.Reflection;

namespace Pgark.Cli.Commands.Recovery;

/// <summary>
/// How PostgreSQL can run this pgark for restore_command: the absolute path of the running program (the native or
/// apphost binary, or dotnet plus Pgark.Cli.dll), or PGARK_EXECUTABLE when set (e.g. pgark is hosted in another
/// process, or the server sees the binary under another path).
/// </summary>
internal static class PgarkExecutable
{
    public const string Variable = "PGARK_EXECUTABLE";

    public static IReadOnlyList<string> Resolve(CliContext context)
    {
        if (context.Environment(Variable) is { Length: > 0 } given)
            return [Path.GetFullPath(given)];
        string cli = Path.Combine(AppContext.BaseDirectory, typeof(CliApp).Assembly.GetName().Name + ".dll");
        string? process = Environment.ProcessPath;
        bool hostedByDotnet = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet";
        if (Assembly.GetEntryAssembly() == typeof(CliApp).Assembly && process is not null)
            return hostedByDotnet ? [process, cli] : [process];
        // Another process hosts the CLI (tests): the apphost built beside Pgark.Cli.dll, else dotnet running the dll.
        string directory = Path.GetDirectoryName(cli) ?? ".";
        foreach (string apphost in (string[])[Path.Combine(directory, "pgark"), Path.Combine(directory, "Pgark.Cli")])
        {
            if (File.Exists(apphost))
                return [apphost];
        }
        return [context.Environment("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : hostedByDotnet ? process! : "/usr/bin/dotnet", cli];
    }
}
