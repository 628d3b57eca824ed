namespace Pgark.Tuning;

/// <summary>What --goal optimizes (spec/tune.md §5).</summary>
public enum TuneGoal
{
    /// <summary>The lowest zstd level whose size is within 5% of the best any level up to 9 achieves.</summary>
    Balanced,
    /// <summary>The highest measured ingest throughput.</summary>
    Fastest,
    /// <summary>The smallest projected storage; ties go to the lower level.</summary>
    Smallest,
}
