using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Index;

/// <summary>
/// Reads the index deltas into a <see cref="MergedIndex"/> keeping each delta only in compact form (spec §10.2): the peak is
/// about twice the resident index plus one decoded delta, not every decoded delta (56 bytes per entry) plus the index.
/// </summary>
internal static class IndexLoader
{
    public static async Task<MergedIndex> LoadAsync(Repository repository, CancellationToken cancellationToken)
    {
        var parts = new List<(ChunkId Id, string Name, CompactDelta Part)>();
        var superseded = new HashSet<ChunkId>();
        await foreach (var info in repository.Store.ListAsync(IndexDelta.Directory, cancellationToken).ConfigureAwait(false))
        {
            var delta = await ReadAsync(repository, info.Name, cancellationToken).ConfigureAwait(false);
            superseded.UnionWith(delta.Supersedes);
            parts.Add((Repository.FileIdOf(info.Name), info.Name, MergedIndex.Compact(delta)));
        }
        var names = new List<string>();
        var compact = new List<CompactDelta?>();
        foreach (var (id, name, part) in parts)
        {
            if (superseded.Contains(id))
                continue;
            names.Add(name);
            compact.Add(part);
        }
        parts.Clear();
        var index = MergedIndex.Build(compact, out var repeated);
        if (repeated is not null)
            await CheckCollisionsAsync(repository, names, repeated, cancellationToken).ConfigureAwait(false);
        return index;
    }

    /// <summary>
    /// Repeated prefixes (the same chunk in two deltas: concurrent writers, a crash, a prune in progress) are checked against
    /// the full ids by reading the deltas once more, one at a time. A delta deleted since the first pass (a prune finishing)
    /// is skipped: its entries named chunks the remaining deltas still cover.
    /// </summary>
    private static async Task CheckCollisionsAsync(Repository repository, List<string> names, List<UInt128> repeated, CancellationToken cancellationToken)
    {
        var check = new PrefixCollisionCheck(repeated);
        foreach (var name in names)
        {
            IndexDelta delta;
            try
            {
                delta = await ReadAsync(repository, name, cancellationToken).ConfigureAwait(false);
            }
            catch (RepositoryObjectMissingException)
            {
                continue;
            }
            check.Add(delta);
        }
    }

    private static async Task<IndexDelta> ReadAsync(Repository repository, string name, CancellationToken cancellationToken)
    {
        var body = await repository.LoadObjectAsync(name, ObjectType.Index, cancellationToken).ConfigureAwait(false);
        return Repository.Decode(name, body, b => IndexDelta.DecodeBody(b));
    }
}
