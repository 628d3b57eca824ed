using System.Globalization;
using Pgark.Repository.Config;

namespace Pgark.Tuning;

/// <summary>The recommender's answer: the chosen candidate, why, and which candidates are on the Pareto front.</summary>
public sealed record Recommendation(int Index, string Reason, IReadOnlyList<bool> ParetoFront);

/// <summary>
/// Picks one candidate (spec/tune.md §5). Sizes are deterministic for a given sample, timings are not: so balanced and
/// smallest decide on sizes plus zstd's level order (a higher level is never cheaper), and only fastest and --window
/// decide on measured time. The size that counts is the projected full backup plus <see cref="RepeatsPerFull"/> repeat
/// backups when an earlier backup priced them, else the full backup alone.
/// </summary>
public static class Recommender
{
    /// <summary>Repeat backups counted per full backup when comparing sizes (a week of daily backups).</summary>
    public const int RepeatsPerFull = 6;

    /// <summary>Balanced accepts this much more storage than the best level for a lower (cheaper) level.</summary>
    public const double BalancedTolerance = 0.05;

    /// <summary>Above level 9 zstd's throughput falls several times for a few percent of size: balanced never goes there.</summary>
    public const int BalancedMaxLevel = 9;

    /// <summary>Sizes within this fraction of each other count as equal (smallest then takes the cheaper level).</summary>
    public const double SizeTie = 0.005;

    public static long StorageOf(CandidateScore c) => c.FullBytes + RepeatsPerFull * (c.RepeatBytes ?? 0);

    public static Recommendation Recommend(IReadOnlyList<CandidateScore> candidates, TuneGoal goal, TimeSpan? window, StorageSettings current)
    {
        if (candidates.Count == 0)
            throw new ArgumentException("no candidates were measured", nameof(candidates));
        var pareto = ParetoFront(candidates);
        var pool = Pool(candidates, current, bySpeed: window is not null || goal == TuneGoal.Fastest, out var poolNote);
        int chosen;
        string reason;
        if (window is { } limit)
        {
            var fitting = pool.Where(i => candidates[i].FullSeconds <= limit.TotalSeconds).ToList();
            if (fitting.Count > 0)
            {
                chosen = Smallest(candidates, fitting);
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"the smallest whose projected full backup ({candidates[chosen].FullSeconds:0} s) fits the window of {limit.TotalSeconds:0} s");
            }
            else
            {
                chosen = Fastest(candidates, pool);
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"no candidate's projected full backup fits the window of {limit.TotalSeconds:0} s; this is the fastest ({candidates[chosen].FullSeconds:0} s)");
            }
        }
        else
        {
            (chosen, reason) = goal switch
            {
                TuneGoal.Fastest => (Fastest(candidates, pool), "the highest measured ingest throughput"),
                TuneGoal.Smallest => (Smallest(candidates, pool), "the smallest projected storage (lower level on a tie within 0.5%)"),
                _ => Balanced(candidates, pool),
            };
        }
        return new Recommendation(chosen, reason + poolNote, pareto);
    }

    /// <summary>
    /// The candidates a goal chooses from: the current pack size unless the goal is speed (pack size changes stored bytes only
    /// by pack headers), and the current extent size unless repeat backups were priced (extent size trades full-backup
    /// compression against repeat-backup size, which only an earlier backup can show).
    /// </summary>
    private static List<int> Pool(IReadOnlyList<CandidateScore> candidates, StorageSettings current, bool bySpeed, out string note)
    {
        var pool = Enumerable.Range(0, candidates.Count).ToList();
        note = "";
        var samePack = pool.Where(i => candidates[i].Settings.PackTargetSize == current.PackTargetSize).ToList();
        if (!bySpeed && samePack.Count > 0)
            pool = samePack;
        if (!candidates.Any(c => c.RepeatBytes is not null))
        {
            var sameExtent = pool.Where(i => candidates[i].Settings.ExtentSize == current.ExtentSize).ToList();
            if (sameExtent.Count > 0 && sameExtent.Count < pool.Count)
            {
                pool = sameExtent;
                note = $"; extent size kept at {current.ExtentSize >> 10} KiB: without an earlier backup of this cluster the repeat-backup "
                    + "cost of other extent sizes is unknown";
            }
        }
        return pool;
    }

    private static (int, string) Balanced(IReadOnlyList<CandidateScore> candidates, List<int> pool)
    {
        var moderate = pool.Where(i => (candidates[i].Settings.CompressionLevel ?? int.MinValue) <= BalancedMaxLevel).ToList();
        if (moderate.Count == 0)
            moderate = pool;
        var best = moderate.Min(i => StorageOf(candidates[i]));
        var chosen = moderate.Where(i => StorageOf(candidates[i]) <= best * (1 + BalancedTolerance))
            .OrderBy(i => candidates[i].Settings.CompressionLevel ?? int.MinValue)
            .ThenBy(i => StorageOf(candidates[i]))
            .ThenBy(i => candidates[i].Settings.PackTargetSize)
            .First();
        var gain = StorageOf(candidates[chosen]) / (double)best - 1;
        return (chosen, string.Create(CultureInfo.InvariantCulture,
            $"the lowest zstd level within {BalancedTolerance * 100:0}% of the smallest size of levels up to {BalancedMaxLevel} (it stores {gain * 100:0.0}% more than that)"));
    }

    private static int Smallest(IReadOnlyList<CandidateScore> candidates, List<int> pool)
    {
        var best = pool.Min(i => StorageOf(candidates[i]));
        return pool.Where(i => StorageOf(candidates[i]) <= best * (1 + SizeTie))
            .OrderBy(i => candidates[i].Settings.CompressionLevel ?? int.MinValue)
            .ThenBy(i => StorageOf(candidates[i]))
            .First();
    }

    private static int Fastest(IReadOnlyList<CandidateScore> candidates, List<int> pool)
        => pool.OrderByDescending(i => candidates[i].IngestBytesPerSecond).First();

    /// <summary>Candidates no other beats on both ingest throughput and storage (ties do not dominate).</summary>
    public static bool[] ParetoFront(IReadOnlyList<CandidateScore> candidates)
    {
        var front = new bool[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            var a = candidates[i];
            front[i] = !candidates.Any(b => b != a
                && b.IngestBytesPerSecond >= a.IngestBytesPerSecond && StorageOf(b) <= StorageOf(a)
                && (b.IngestBytesPerSecond > a.IngestBytesPerSecond || StorageOf(b) < StorageOf(a)));
        }
        return front;
    }
}
