using System.Diagnostics;
using Pgark.Repository.Config;
using Pgark.Repository.Crypto;
using Pgark.Repository.Ids;

namespace Pgark.Tuning;

/// <summary>
/// Runs every candidate over the sample (spec/tune.md §3): first the grid of zstd levels × extent sizes at the current pack
/// size and chunker, then the pack sizes at the grid's choice, then recommends. The trial time is shared evenly by the
/// candidates still to run; within one, ingest gets 60%, restore and repeat 20% each.
/// </summary>
public static class TuneEngine
{
    /// <param name="repositoryHas">The target repository's index, for repeat-backup dedup of stream chunks; null when there is none.</param>
    /// <param name="progress">Called with (candidates done, candidates in all, the candidate starting).</param>
    public static TuneReport Run(TuneSample sample, TuneOptions options, StorageSettings current, ChunkHasher hasher, SealedBox? box,
        Func<ChunkId, bool>? repositoryHas, Action<int, int, StorageSettings>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        if (sample.Windows.Count == 0)
            throw new ArgumentException("the sample is empty: the source has no regular files to measure");
        var clock = Stopwatch.StartNew();
        var order = ProcessingOrder(sample.Windows);
        var grid = (from extent in options.ExtentSizes
                    from level in options.Levels
                    select current with { CompressionLevel = level, ExtentSize = extent, PackTargetSize = current.PackTargetSize }).ToList();
        // Warm up (JIT, per-thread zstd contexts) on a few windows, so the first candidate is not timed cold.
        Measure(sample, order.Take(Math.Min(order.Count, 4 * options.Workers)).ToList(), grid[0], hasher, box, repositoryHas,
            TimeSpan.FromSeconds(2), options.Workers, cancellationToken);
        var total = grid.Count + options.PackSizes.Count(p => p != current.PackTargetSize);
        var results = new List<CandidateResult>();
        foreach (var settings in grid)
        {
            progress?.Invoke(results.Count, total, settings);
            results.Add(Measure(sample, order, settings, hasher, box, repositoryHas, Budget(options, clock, total - results.Count), options.Workers,
                cancellationToken));
        }
        var gridChoice = Recommender.Recommend([.. results.Select(r => r.Score)], options.Goal, options.Window, current);
        var chosen = results[gridChoice.Index].Settings;
        foreach (var pack in options.PackSizes.Where(p => p != current.PackTargetSize))
        {
            var settings = chosen with { PackTargetSize = pack };
            progress?.Invoke(results.Count, total, settings);
            results.Add(Measure(sample, order, settings, hasher, box, repositoryHas, Budget(options, clock, total - results.Count), options.Workers,
                cancellationToken));
        }
        progress?.Invoke(results.Count, total, chosen);
        var recommendation = Recommender.Recommend([.. results.Select(r => r.Score)], options.Goal, options.Window, current);
        return new TuneReport(sample, current, options.Goal, options.Window, results, recommendation, options.Workers, clock.Elapsed);
    }

    /// <summary>
    /// Tunes for a repository (null: a new one with default settings): its settings are the baseline, its chunk id function and
    /// seal are what trials pay for, its index is what repeat backups deduplicate stream chunks against.
    /// </summary>
    public static TuneReport RunFor(Repository.Repository? repository, TuneSample sample, TuneOptions options,
        Action<int, int, StorageSettings>? progress = null, CancellationToken cancellationToken = default)
        => Run(sample, options, repository?.Settings ?? StorageSettings.Default, repository?.Hasher ?? ChunkHasher.Unkeyed, repository?.Box,
            repository is null ? null : repository.Index.Contains, progress, cancellationToken);

    /// <summary>One candidate: full-backup trial, read-back of its packs, and the repeat trial when an earlier backup exists.</summary>
    public static CandidateResult Measure(TuneSample sample, IReadOnlyList<SampleWindow> order, StorageSettings settings, ChunkHasher hasher,
        SealedBox? box, Func<ChunkId, bool>? repositoryHas, TimeSpan budget, int workers, CancellationToken cancellationToken = default)
    {
        var store = new TrialStore(settings, hasher, box);
        var ingest = TrialIngest.Run(order, store, budget * 0.6, workers, cancellationToken);
        var restore = TrialRestore.Run(ingest.Packs, store, budget * 0.2, workers, cancellationToken);
        ingest = ingest with { Packs = [] }; // the packs are the bulk of a trial's memory; only their measurements stay
        RepeatMeasurement? repeat = sample.HasParent
            ? TrialRepeat.Run(order, store, repositoryHas ?? (_ => false), budget * 0.2, workers, cancellationToken)
            : null;
        var ingestRate = ingest.Bytes / Math.Max(ingest.Elapsed.TotalSeconds, 1e-6);
        double? repeatRate = repeat is null ? null : repeat.Bytes / Math.Max(repeat.Elapsed.TotalSeconds, 1e-6);
        return new CandidateResult(settings, ingest, restore, repeat, Projection.For(sample, store, ingest, repeat, ingestRate, repeatRate));
    }

    /// <summary>A fixed pseudo-random order (seeded), so any prefix a cut-short trial reaches spreads over the whole sample.</summary>
    public static IReadOnlyList<SampleWindow> ProcessingOrder(IReadOnlyList<SampleWindow> windows)
    {
        var order = windows.ToArray();
        new Random(20261121).Shuffle(order);
        return order;
    }

    private static TimeSpan Budget(TuneOptions options, Stopwatch clock, int remaining)
    {
        var left = options.TrialTime - clock.Elapsed;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left / Math.Max(1, remaining);
    }
}
