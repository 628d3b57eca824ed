namespace Pgark.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var interrupt = new InterruptSignal();
        return await CliApp.RunAsync(args, CliContext.ForProcess(), interrupt.Token).ConfigureAwait(false);
    }
}
