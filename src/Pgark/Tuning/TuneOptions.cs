namespace Pgark.Tuning;

/// <summary>What <see cref="TuneEngine"/> tries and how much work it may do.</summary>
public sealed record TuneOptions
{
    /// <summary>zstd levels tried: negative (fastest) to high.</summary>
    public IReadOnlyList<int> Levels { get; init; } = [-5, -1, 1, 3, 6, 9, 15, 19];

    /// <summary>Extent sizes (page-dedup granularity) tried; at most <see cref="SampleCollector.WindowSize"/>.</summary>
    public IReadOnlyList<int> ExtentSizes { get; init; } = [64 << 10, 256 << 10, 1 << 20];

    /// <summary>Pack target sizes tried with the chosen level and extent size.</summary>
    public IReadOnlyList<int> PackSizes { get; init; } = [8 << 20, 32 << 20, 128 << 20];

    /// <summary>Wall-clock time all trials together may take; a candidate that runs out measures the prefix it reached.</summary>
    public TimeSpan TrialTime { get; init; } = TimeSpan.FromSeconds(90);

    public TuneGoal Goal { get; init; } = TuneGoal.Balanced;

    /// <summary>The smallest candidate whose projected full backup fits this window wins (instead of <see cref="Goal"/>).</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>Trial threads: every core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    public void Validate()
    {
        if (Levels.Count == 0 || ExtentSizes.Count == 0 || PackSizes.Count == 0)
            throw new ArgumentException("at least one level, extent size and pack size must be tried");
        if (ExtentSizes.Any(e => e > SampleCollector.WindowSize))
            throw new ArgumentException($"extent sizes above the {SampleCollector.WindowSize >> 10} KiB sample window cannot be measured");
        if (Workers < 1)
            throw new ArgumentException("at least one worker is needed");
    }
}
