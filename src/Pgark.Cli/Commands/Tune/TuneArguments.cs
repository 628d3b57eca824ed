using System.Globalization;
using Pgark.Cli.Parsing;
using Pgark.Tuning;

namespace Pgark.Cli.Commands.Tune;

/// <summary>tune's option values: sizes ("256MB"), durations ("90s", "5min", "2h") and the goal.</summary>
internal sealed record TuneArguments(long SampleBytes, TimeSpan Time, TuneGoal Goal, TimeSpan? Window, bool Apply, string? ReportFile, bool Json,
    bool FromBackup)
{
    public static TuneArguments Parse(ParsedArguments arguments)
    {
        var fromBackup = arguments.Has(Options.Backup);
        var apply = arguments.Flag(Options.Apply);
        if (apply && !arguments.Has(Options.Repo))
            throw new UsageException("--apply needs a repository to write the settings into", "add --repo DIR");
        if (fromBackup && !arguments.Has(Options.Repo))
            throw new UsageException("--backup names a snapshot of a repository", "add --repo DIR");
        var sample = Size(arguments.Text(Options.Sample) ?? "256MB", "--sample");
        if (sample < SampleCollector.WindowSize)
            throw new UsageException($"--sample {arguments.Text(Options.Sample)} is below one 1MB window", "give at least --sample 1MB; 256MB is the default");
        return new TuneArguments(sample, Duration(arguments.Text(Options.Time) ?? "3min", "--time"), ParseGoal(arguments.Text(Options.Goal)),
            arguments.Text(Options.Window) is { } window ? Duration(window, "--window") : null, apply, arguments.Text(Options.Report),
            arguments.Flag(Options.Json), fromBackup);
    }

    public static TuneGoal ParseGoal(string? text) => text switch
    {
        null or "balanced" => TuneGoal.Balanced,
        "fastest" => TuneGoal.Fastest,
        "smallest" => TuneGoal.Smallest,
        _ => throw new UsageException($"--goal '{text}' is not fastest, smallest or balanced", "use --goal fastest, --goal smallest or --goal balanced"),
    };

    /// <summary>"256MB" → bytes; units B, kB, MB, GB, TB as powers of 1024 (as PostgreSQL reads them).</summary>
    public static long Size(string text, string option)
    {
        var unitAt = text.AsSpan().IndexOfAnyExceptInRange('0', '9');
        if (unitAt > 0 && long.TryParse(text.AsSpan(0, unitAt), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            var shift = text[unitAt..] switch { "B" => 0, "kB" => 10, "MB" => 20, "GB" => 30, "TB" => 40, _ => -1 };
            if (shift >= 0 && number <= long.MaxValue >> shift)
                return number << shift;
        }
        throw new UsageException($"invalid size \"{text}\" for {option}", $"give a number and a unit (B, kB, MB, GB, TB), e.g. {option} 256MB");
    }

    /// <summary>"90s", "5min", "2h" → a duration.</summary>
    public static TimeSpan Duration(string text, string option)
    {
        var unitAt = text.AsSpan().IndexOfAnyExceptInRange('0', '9');
        if (unitAt > 0 && int.TryParse(text.AsSpan(0, unitAt), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            switch (text[unitAt..])
            {
                case "s": return TimeSpan.FromSeconds(number);
                case "min": return TimeSpan.FromMinutes(number);
                case "h": return TimeSpan.FromHours(number);
            }
        }
        throw new UsageException($"invalid duration \"{text}\" for {option}", $"give a positive number and a unit (s, min, h), e.g. {option} 5min");
    }
}
