using Pgark.Repository.Config;

namespace Pgark.Tuning;

/// <summary>
/// One candidate's measurements and what they project for the whole cluster. Throughputs are of the pipeline on this
/// machine's cores over data in memory: reading the cluster and writing the store come on top.
/// </summary>
public sealed record CandidateResult(StorageSettings Settings, IngestMeasurement Ingest, RestoreMeasurement Restore, RepeatMeasurement? Repeat,
    Projection Projection)
{
    public double IngestBytesPerSecond => PerSecond(Ingest.Bytes, Ingest.Elapsed);
    public double RestoreBytesPerSecond => PerSecond(Restore.PlainBytes, Restore.Elapsed);
    public double? RepeatBytesPerSecond => Repeat is null ? null : PerSecond(Repeat.Bytes, Repeat.Elapsed);

    /// <summary>Plain bytes of the stored (deduplicated) chunks over their stored bytes.</summary>
    public double CompressionRatio => Ingest.StoredChunkBytes == 0 ? 1 : Ingest.UniquePlainBytes / (double)Ingest.StoredChunkBytes;

    /// <summary>Sampled bytes over the plain bytes of distinct chunks.</summary>
    public double DedupRatio => Ingest.UniquePlainBytes == 0 ? 1 : Ingest.Bytes / (double)Ingest.UniquePlainBytes;

    public CandidateScore Score => new(Settings, Projection.FullBytes, Projection.RepeatBytes, IngestBytesPerSecond, Projection.FullSeconds);

    private static double PerSecond(long bytes, TimeSpan elapsed) => bytes / Math.Max(elapsed.TotalSeconds, 1e-6);
}

/// <summary>Whole-cluster projections: sample results scaled per file class by cluster bytes / sampled bytes.</summary>
public sealed record Projection(long FullBytes, double FullSeconds, long? RepeatBytes, double? RepeatSeconds, long IndexEntries)
{
    public static Projection For(TuneSample sample, TrialStore store, IngestMeasurement ingest, RepeatMeasurement? repeat, double ingestRate,
        double? repeatRate)
    {
        var chunkBytes = Scale(sample, ingest.RelationBytes, ingest.OtherBytes, ingest.StoredRelationBytes, ingest.StoredOtherBytes);
        var full = chunkBytes + (chunkBytes / store.Settings.PackTargetSize + 1) * store.PackOverhead;
        long? repeatBytes = null;
        if (repeat is not null)
        {
            var repeatChunks = Scale(sample, repeat.RelationBytes, repeat.OtherBytes, repeat.StoredRelationBytes, repeat.StoredOtherBytes);
            repeatBytes = repeatChunks + (repeatChunks / store.Settings.PackTargetSize + 1) * store.PackOverhead;
        }
        var entries = ingest.Bytes == 0 ? 0 : (long)(ingest.Chunks * (sample.ClusterBytes / (double)ingest.Bytes));
        return new Projection(full, sample.ClusterBytes / Math.Max(ingestRate, 1), repeatBytes,
            repeatRate is { } r ? sample.ClusterBytes / Math.Max(r, 1) : null, entries);
    }

    /// <summary>Each class scaled by its own cluster/sample ratio; a class the prefix did not reach takes the other's ratio.</summary>
    private static long Scale(TuneSample sample, long relationBytes, long otherBytes, long storedRelation, long storedOther)
    {
        var all = relationBytes + otherBytes;
        if (all == 0)
            return 0;
        var overall = (storedRelation + storedOther) / (double)all;
        var relationRatio = relationBytes > 0 ? storedRelation / (double)relationBytes : overall;
        var otherRatio = otherBytes > 0 ? storedOther / (double)otherBytes : overall;
        return (long)(sample.ClusterRelationBytes * relationRatio + sample.ClusterOtherBytes * otherRatio);
    }
}

/// <summary>What the recommender looks at for one candidate (spec/tune.md §5).</summary>
public sealed record CandidateScore(StorageSettings Settings, long FullBytes, long? RepeatBytes, double IngestBytesPerSecond, double FullSeconds);
