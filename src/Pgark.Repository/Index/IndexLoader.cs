using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Index;

/// <summary>
/// Reads the index deltas into a <see cref="MergedIndex"/>, streaming each delta's body straight into 33-byte slots (spec
/// §10.2): the peak is about twice the resident index plus one delta's body, not every decoded delta (56 bytes per entry)
/// plus the index.
/// </summary>
internal static class IndexLoader
{
    /// <param name="expectedEntries">
    /// How many entries the deltas hold, when known (a reload of deltas read before: <see cref="MergedIndex.LoadedEntries"/>);
    /// 0 when not. With it the entries go straight into one table and the peak is that table plus one delta's body.
    /// </param>
    public static async Task<MergedIndex> LoadAsync(Repository repository, long expectedEntries, CancellationToken cancellationToken)
    {
        var builder = new MergedIndex.Builder(expectedEntries);
        var deltas = new List<(ChunkId Id, string Name)>();
        var superseded = new HashSet<ChunkId>();
        await foreach (var info in repository.Store.ListAsync(IndexDelta.Directory, cancellationToken).ConfigureAwait(false))
        {
            var reader = await ReadAsync(repository, info.Name, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < reader.SupersedesCount; i++)
                superseded.Add(reader.Superseded(i));
            Repository.Decode(info.Name, reader, r =>
            {
                builder.Add(r);
                return true;
            });
            deltas.Add((Repository.FileIdOf(info.Name), info.Name));
        }
        var index = builder.Build(p => !superseded.Contains(deltas[p].Id), out var repeated);
        if (repeated is not null)
            await CheckCollisionsAsync(repository, deltas.Where(d => !superseded.Contains(d.Id)).Select(d => d.Name).ToList(), repeated,
                cancellationToken).ConfigureAwait(false);
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
            IndexDeltaReader reader;
            try
            {
                reader = await ReadAsync(repository, name, cancellationToken).ConfigureAwait(false);
            }
            catch (RepositoryObjectMissingException)
            {
                continue;
            }
            Repository.Decode(name, reader, r =>
            {
                check.Add(r);
                return true;
            });
        }
    }

    /// <summary>A verified delta's body behind a reader whose header is checked; the entries are checked as they are read.</summary>
    internal static async Task<IndexDeltaReader> ReadAsync(Repository repository, string name, CancellationToken cancellationToken)
    {
        var body = await repository.LoadObjectAsync(name, ObjectType.Index, cancellationToken).ConfigureAwait(false);
        return Repository.Decode(name, body, b => new IndexDeltaReader(b));
    }
}
