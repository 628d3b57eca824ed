namespace Pgark.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        Debug.RuntimeStatistics.Start();
        using var interrupt = new InterruptSignal();
        try
        {
            // Internal crash-test writer (see Debug/TestBackupWriter.cs); deliberately outside the command table.
            if (args is [Debug.TestBackupWriter.Verb, _, _, _])
                return await Debug.TestBackupWriter.RunAsync(args, interrupt.Token).ConfigureAwait(false);
            return await CliApp.RunAsync(args, CliContext.ForProcess(), interrupt.Token).ConfigureAwait(false);
        }
        finally
        {
            if (Debug.RuntimeStatistics.Requested)
                Debug.RuntimeStatistics.Print(Console.Error);
        }
    }
}
