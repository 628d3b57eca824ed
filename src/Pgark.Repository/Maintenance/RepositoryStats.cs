using Pgark.Repository.Format;

namespace Pgark.Repository.Maintenance;

/// <summary><c>pgark stats</c>: what the index says the repository holds.</summary>
public sealed record RepositoryStats(int Snapshots, int Packs, long Chunks, long StoredBytes, long PlainBytes,
    IReadOnlyDictionary<ChunkKind, (long Chunks, long StoredBytes, long PlainBytes)> ByKind, long IndexResidentBytes)
{
    internal static RepositoryStats From(Repository repository, int snapshots)
    {
        var byKind = new Dictionary<ChunkKind, (long, long, long)>();
        long chunks = 0, stored = 0, plain = 0;
        foreach (var (_, _, storedLength, plainLength, kind) in repository.Index.Enumerate())
        {
            chunks++;
            stored += storedLength;
            plain += plainLength;
            var (c, s, p) = byKind.GetValueOrDefault(kind);
            byKind[kind] = (c + 1, s + storedLength, p + plainLength);
        }
        return new RepositoryStats(snapshots, repository.Index.Packs.Count, chunks, stored, plain, byKind, repository.Index.ResidentBytes);
    }
}
