using Pgark.Repository.Packs;

namespace Pgark.Tuning;

/// <summary>What one candidate's full-backup trial did over (a prefix of) the sample. Byte counts are per file class.</summary>
public sealed record IngestMeasurement(
    int Windows,
    long RelationBytes,
    long OtherBytes,
    long StoredRelationBytes,
    long StoredOtherBytes,
    long UniquePlainBytes,
    long StoredChunkBytes,
    long Chunks,
    TimeSpan Elapsed,
    IReadOnlyList<FinishedPack> Packs)
{
    public long Bytes => RelationBytes + OtherBytes;
    public long StoredBytes => StoredRelationBytes + StoredOtherBytes;
}

/// <summary>Reading the trial's packs back: parse each pack, decode every chunk, re-hash it.</summary>
public sealed record RestoreMeasurement(long PlainBytes, long Chunks, TimeSpan Elapsed);

/// <summary>
/// A repeat backup of the sample against the earlier backup's page hashes: bytes it would store (changed pages as page
/// deltas or whole extents, new stream chunks, rewritten tree) and the time to decide and encode them.
/// </summary>
public sealed record RepeatMeasurement(
    int Windows,
    long RelationBytes,
    long OtherBytes,
    long StoredRelationBytes,
    long StoredOtherBytes,
    long ChangedPages,
    long Pages,
    TimeSpan Elapsed)
{
    public long Bytes => RelationBytes + OtherBytes;
}
