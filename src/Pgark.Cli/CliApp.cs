using System.Reflection;
using Pgark.Cli.Commands;
using Pgark.Cli.Errors;
using Pgark.Cli.Help;
using Pgark.Cli.Parsing;

namespace Pgark.Cli;

/// <summary>Parses the command line, runs the command, and turns any failure into two lines and an exit code.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        try
        {
            ParsedArguments arguments = ArgumentParser.Parse(args, context.Environment);
            context.Verbose = arguments.Flag(Options.Verbose);
            return (int)await DispatchAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            var report = ErrorReport.From(error, cancellationToken.IsCancellationRequested, context.Connection);
            if (Commands.Wal.WalGetCommand.IsInvocation(args))
                report = report.ForRestoreCommand();
            report.WriteTo(context.Error);
            if (context.Verbose || args.Contains("--verbose") || args.Contains("-v"))
                context.Error.WriteLine(error.ToString());
            return (int)report.Code;
        }
    }

    private static async Task<ExitCode> DispatchAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        if (arguments.Flag(Options.Version))
        {
            context.Out.WriteLine($"pgark {Version}");
            return ExitCode.Ok;
        }
        if (arguments.Command is null)
        {
            if (arguments.Flag(Options.Help))
            {
                context.Out.Write(HelpText.Overview());
                return ExitCode.Ok;
            }
            throw new UsageException("no command given", "run 'pgark help' to list the commands");
        }

        CommandSpec command = CommandTable.Find(arguments.Command)!;
        if (arguments.Flag(Options.Help))
        {
            context.Out.Write(HelpText.ForCommand(command));
            return ExitCode.Ok;
        }
        // Every command but help reaches .NET's cryptography, which aborts the process without libssl: refuse clearly first.
        if (!ReferenceEquals(command, HelpCommand.Spec))
            Native.OpenSslLibrary.EnsureLoadable(context.Environment);
        return await command.RunAsync(context, arguments, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The informational version (with the source commit when the build knows it).</summary>
    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CliApp).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
