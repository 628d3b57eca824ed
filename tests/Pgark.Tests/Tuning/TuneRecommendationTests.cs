using Pgark.Repository.Config;
using Pgark.Repository.Ids;
using Pgark.Tuning;

namespace Pgark.Tests.Tuning;

/// <summary>
/// The recommendation follows the data: on compressible rows higher zstd levels save real space, on random bytes they save
/// nothing. Asserts on sizes (deterministic for given data) and the recommender's decisions, never on timings.
/// </summary>
public sealed class TuneRecommendationTests
{
    private static readonly TuneOptions s_options = new()
    {
        Levels = [-5, -1, 1, 3, 6, 9], ExtentSizes = [256 << 10], PackSizes = [32 << 20], TrialTime = TimeSpan.FromMinutes(10), Workers = 2,
    };

    [Fact]
    public void Compressible_and_incompressible_data_get_different_balanced_recommendations()
    {
        var compressible = TuneEngine.Run(TuneData.Sample(TuneData.Compressible, 6), s_options, StorageSettings.Default, ChunkHasher.Unkeyed,
            null, null);
        var incompressible = TuneEngine.Run(TuneData.Sample(TuneData.Incompressible, 6), s_options, StorageSettings.Default, ChunkHasher.Unkeyed,
            null, null);

        // Every candidate measured the whole sample, so sizes are comparable and deterministic.
        Assert.All(compressible.Candidates.Concat(incompressible.Candidates), c => Assert.Equal(6L << 20, c.Ingest.Bytes));

        // Random bytes: no level shrinks them (chunks are stored raw), so balanced takes the fastest level.
        Assert.All(incompressible.Candidates, c => Assert.InRange(c.CompressionRatio, 0.99, 1.01));
        Assert.Equal(-5, incompressible.Recommended.Settings.CompressionLevel);

        // Text rows: -5 stores far more than level 9, so balanced moves up to a level within 5% of the best.
        var byLevel = compressible.Candidates.ToDictionary(c => c.Settings.CompressionLevel!.Value);
        Assert.True(byLevel[-5].Ingest.StoredBytes > byLevel[9].Ingest.StoredBytes * 1.3,
            $"level -5 stored {byLevel[-5].Ingest.StoredBytes}, level 9 {byLevel[9].Ingest.StoredBytes}");
        var chosen = compressible.Recommended;
        Assert.True(chosen.Settings.CompressionLevel > -5, $"recommended {chosen.Settings}");
        var best = compressible.Candidates.Min(c => Recommender.StorageOf(c.Score));
        Assert.True(Recommender.StorageOf(chosen.Score) <= best * (1 + Recommender.BalancedTolerance));
        Assert.All(compressible.Candidates.Where(c => c.Settings.CompressionLevel < chosen.Settings.CompressionLevel),
            c => Assert.True(Recommender.StorageOf(c.Score) > best * (1 + Recommender.BalancedTolerance)));

        Assert.NotEqual(compressible.Recommended.Settings.CompressionLevel, incompressible.Recommended.Settings.CompressionLevel);
        // Restore really read back every stored chunk.
        Assert.All(compressible.Candidates, c => Assert.Equal(c.Ingest.Chunks, c.Restore.Chunks));
    }

    [Fact]
    public void Smallest_takes_the_least_storage_and_a_lower_level_on_a_tie()
    {
        var scores = new[]
        {
            Score(1, 1000, 300), Score(3, 800, 250), Score(9, 700, 100), Score(19, 698, 5), Score(6, 900, 50),
        };
        var choice = Recommender.Recommend(scores, TuneGoal.Smallest, null, StorageSettings.Default);
        Assert.Equal(9, scores[choice.Index].Settings.CompressionLevel); // 698 is within 0.5% of 700: the cheaper level wins
        var balanced = Recommender.Recommend(scores, TuneGoal.Balanced, null, StorageSettings.Default);
        Assert.Equal(9, scores[balanced.Index].Settings.CompressionLevel); // 800 is 14% above 700
        var fastest = Recommender.Recommend(scores, TuneGoal.Fastest, null, StorageSettings.Default);
        Assert.Equal(1, scores[fastest.Index].Settings.CompressionLevel);
        // Level 6 is beaten by level 9 on both axes; level 19 is slow but the smallest, so it stays on the front.
        Assert.Equal([true, true, true, true, false], Recommender.ParetoFront(scores));
    }

    [Fact]
    public void A_window_picks_the_smallest_that_fits_or_else_the_fastest()
    {
        var scores = new[] { Score(1, 1000, 300, seconds: 100), Score(3, 800, 250, seconds: 200), Score(19, 600, 5, seconds: 5000) };
        var fits = Recommender.Recommend(scores, TuneGoal.Balanced, TimeSpan.FromSeconds(250), StorageSettings.Default);
        Assert.Equal(3, scores[fits.Index].Settings.CompressionLevel);
        Assert.Contains("fits the window of 250 s", fits.Reason);
        var none = Recommender.Recommend(scores, TuneGoal.Smallest, TimeSpan.FromSeconds(50), StorageSettings.Default);
        Assert.Equal(1, scores[none.Index].Settings.CompressionLevel);
        Assert.Contains("no candidate's projected full backup fits", none.Reason);
    }

    [Fact]
    public void Without_repeat_prices_the_extent_size_stays_and_with_them_repeat_storage_counts()
    {
        var big = StorageSettings.Default with { ExtentSize = 1 << 20 };
        var small = StorageSettings.Default with { ExtentSize = 64 << 10 };
        CandidateScore[] noRepeat = [new(big with { CompressionLevel = 3 }, 900, null, 100, 1), new(StorageSettings.Default, 1000, null, 100, 1)];
        var kept = Recommender.Recommend(noRepeat, TuneGoal.Smallest, null, StorageSettings.Default);
        Assert.Equal(256 << 10, noRepeat[kept.Index].Settings.ExtentSize);
        Assert.Contains("extent size kept at 256 KiB", kept.Reason);

        // 1 MiB extents: smaller full backup but large repeats; 64 KiB: the reverse, and a week of repeats decides.
        CandidateScore[] withRepeat = [new(big, 900, 300, 100, 1), new(small, 1100, 50, 100, 1), new(StorageSettings.Default, 1000, 120, 100, 1)];
        var chosen = Recommender.Recommend(withRepeat, TuneGoal.Smallest, null, StorageSettings.Default);
        Assert.Equal(64 << 10, withRepeat[chosen.Index].Settings.ExtentSize);
        Assert.Equal(1100 + 6 * 50, Recommender.StorageOf(withRepeat[chosen.Index]));
    }

    private static CandidateScore Score(int level, long full, double mibPerSecond, double seconds = 1)
        => new(StorageSettings.Default with { CompressionLevel = level }, full, null, mibPerSecond * 1048576, seconds);
}
