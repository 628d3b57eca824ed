using System.Diagnostics;
using System.Globalization;

namespace Pgark.Fuzz;

/// <summary>
/// Mutation fuzz driver. <c>--all --seconds N</c> runs every target for N seconds in total; <c>--target NAME</c>
/// runs one; <c>--seed S</c> makes the run reproducible (default: from the clock, printed). A finding (unexpected
/// exception, an input running over <see cref="InputTimeLimit"/>, or allocating over <see cref="InputAllocationLimit"/>)
/// is saved under fuzz/findings/&lt;target&gt;-&lt;hash&gt;.bin and the exit code is 1. <c>--replay FILE</c> runs one saved input.
/// </summary>
internal static class Program
{
    private static readonly TimeSpan InputTimeLimit = TimeSpan.FromSeconds(2);
    private const long InputAllocationLimit = 256L << 20;

    private static int Main(string[] args)
    {
        double seconds = 10;
        string? targetName = null;
        string? replay = null;
        int seed = Environment.TickCount & 0x7FFFFFFF;
        bool all = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--all": all = true; break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--target": targetName = args[++i]; break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--replay": replay = args[++i]; break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: --all | --target NAME [--seconds N] [--seed S] [--replay FILE]");
                    return 2;
            }
        }
        IReadOnlyList<IFuzzTarget> targets = all || targetName is null
            ? Targets.All
            : Targets.All.Where(t => t.Name == targetName).ToList();
        if (targets.Count == 0)
        {
            Console.Error.WriteLine($"no target '{targetName}'; targets: {string.Join(", ", Targets.All.Select(t => t.Name))}");
            return 2;
        }
        string root = RepositoryRoot();
        if (replay is not null)
            return targets.Select(t => RunOne(t, File.ReadAllBytes(replay), root) ? 0 : 1).Max();

        Console.WriteLine($"fuzz seed {seed}; {targets.Count} target(s), {seconds:0.#} s in total");
        var budget = TimeSpan.FromSeconds(seconds / targets.Count);
        foreach (IFuzzTarget target in targets)
        {
            if (!Fuzz(target, root, seed, budget))
                return 1;
        }
        return 0;
    }

    private static bool Fuzz(IFuzzTarget target, string root, int seed, TimeSpan budget)
    {
        var corpus = target.Seeds(root).ToList();
        if (corpus.Count == 0)
            corpus.Add([]);
        foreach (byte[] input in corpus.ToList())
        {
            if (!RunOne(target, input, root))
                return false;
        }
        var random = new Random(seed ^ target.Name.GetHashCode(StringComparison.Ordinal) & 0x7FFFFFFF);
        var mutator = new Mutator(random);
        var clock = Stopwatch.StartNew();
        long executions = 0;
        while (clock.Elapsed < budget)
        {
            byte[] input = mutator.Mutate(corpus[random.Next(corpus.Count)], corpus);
            if (!RunOne(target, input, root))
                return false;
            executions++;
            // Keep a bounded pool of mutants as further parents, so mutations compound.
            if (corpus.Count < 512 && random.Next(16) == 0)
                corpus.Add(input);
        }
        Console.WriteLine($"{target.Name}: {executions} inputs in {clock.Elapsed.TotalSeconds:0.0} s, no findings");
        return true;
    }

    private static bool RunOne(IFuzzTarget target, byte[] input, string root)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        string? problem = null;
        // A watchdog for inputs that never finish: the run cannot be interrupted, so save and exit.
        using var watchdog = new Timer(_ => Die(target, input, root, $"still running after {InputTimeLimit.TotalSeconds * 5} s"),
            null, InputTimeLimit * 5, Timeout.InfiniteTimeSpan);
        try
        {
            target.Run(input);
        }
        catch (Exception e)
        {
            problem = $"{e.GetType().Name}: {e.Message}\n{e.StackTrace}";
        }
        if (problem is null && clock.Elapsed > InputTimeLimit)
            problem = $"took {clock.Elapsed.TotalMilliseconds:0} ms (limit {InputTimeLimit.TotalMilliseconds:0})";
        long used = GC.GetAllocatedBytesForCurrentThread() - allocated;
        if (problem is null && used > InputAllocationLimit)
            problem = $"allocated {used} bytes for a {input.Length}-byte input";
        if (problem is null)
            return true;
        Save(target, input, root, problem);
        return false;
    }

    private static void Die(IFuzzTarget target, byte[] input, string root, string problem)
    {
        Save(target, input, root, problem);
        Environment.Exit(1);
    }

    private static void Save(IFuzzTarget target, byte[] input, string root, string problem)
    {
        string dir = Path.Combine(root, "fuzz", "findings");
        Directory.CreateDirectory(dir);
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(input))[..16];
        string path = Path.Combine(dir, $"{target.Name}-{hash}.bin");
        File.WriteAllBytes(path, input);
        File.WriteAllText(path + ".txt", problem);
        Console.Error.WriteLine($"FINDING in {target.Name}: {problem}\nsaved to {path} (replay: --target {target.Name} --replay {path})");
    }

    private static string RepositoryRoot()
    {
        string? dir = Directory.GetCurrentDirectory();
        while (dir is not null && !File.Exists(Path.Combine(dir, "Engine.sln")))
            dir = Path.GetDirectoryName(dir);
        return dir ?? Directory.GetCurrentDirectory();
    }
}
