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
    /// <param name="names">Receives the name of every delta read, when given.</param>
    public static async Task<MergedIndex> LoadAsync(Repository repository, long expectedEntries, CancellationToken cancellationToken,
        ICollection<string>? names = null)
    {
        var builder = new MergedIndex.Builder(expectedEntries);
        var files = new IndexDeltaFiles(repository);
        var deltas = new List<(ChunkId Id, string Name, long Length)>();
        var superseded = new HashSet<ChunkId>();
        await foreach (var info in repository.Store.ListAsync(IndexDelta.Directory, cancellationToken).ConfigureAwait(false))
        {
            var reader = await files.ReadAsync(info.Name, info.Length, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < reader.SupersedesCount; i++)
                superseded.Add(reader.Superseded(i));
            Repository.Decode(info.Name, reader, r =>
            {
                builder.Add(r);
                return true;
            });
            deltas.Add((Repository.FileIdOf(info.Name), info.Name, info.Length));
            names?.Add(info.Name);
        }
        var index = builder.Build(p => !superseded.Contains(deltas[p].Id), out var repeated);
        if (repeated is not null)
            await CheckCollisionsAsync(files, deltas.Where(d => !superseded.Contains(d.Id)).Select(d => (d.Name, d.Length)).ToList(), repeated,
                cancellationToken).ConfigureAwait(false);
        return index;
    }

    /// <summary>
    /// Repeated prefixes (the same chunk in two deltas: concurrent writers, a crash, a prune in progress) are checked against
    /// the full ids by reading the deltas once more, one at a time. A delta deleted since the first pass (a prune finishing)
    /// is skipped: its entries named chunks the remaining deltas still cover.
    /// </summary>
    private static async Task CheckCollisionsAsync(IndexDeltaFiles files, List<(string Name, long Length)> deltas, List<UInt128> repeated,
        CancellationToken cancellationToken)
    {
        var check = new PrefixCollisionCheck(repeated);
        foreach (var (name, length) in deltas)
        {
            IndexDeltaReader reader;
            try
            {
                reader = await files.ReadAsync(name, length, cancellationToken).ConfigureAwait(false);
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
}
