namespace Pgark.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("pgark: no commands yet");
        return 64;
    }
}
