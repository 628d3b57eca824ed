using Pgark.Repository.Ids;

namespace Pgark.Tuning;

/// <summary>
/// What the trials run on: the sampled windows and the cluster totals they stand for. Projections scale each file class
/// (relation files, other files) by cluster bytes / sampled bytes of that class.
/// </summary>
/// <param name="Source">Where the sample came from ("cluster 7301234567890123456", "snapshot 3f2a9c1e").</param>
/// <param name="ClusterRelationBytes">Bytes of relation files in the whole cluster (or backup).</param>
/// <param name="ClusterOtherBytes">Bytes of all other regular files.</param>
/// <param name="ReadBytes">Bytes read to take the sample (a live cluster sends every file; a backup only the windows).</param>
/// <param name="Complete">False when --time or --sample stopped the reading before the end of the cluster.</param>
/// <param name="ParentSnapshotId">The earlier backup whose page hashes price repeat backups; null when there is none.</param>
public sealed record TuneSample(
    string Source,
    IReadOnlyList<SampleWindow> Windows,
    long ClusterRelationBytes,
    long ClusterOtherBytes,
    long ReadBytes,
    bool Complete,
    ChunkId? ParentSnapshotId = null,
    ulong SystemIdentifier = 0)
{
    public long ClusterBytes => ClusterRelationBytes + ClusterOtherBytes;
    public long SampledBytes => Windows.Sum(w => (long)w.Data.Length);
    public bool HasParent => ParentSnapshotId is not null;
}
