using Pgark.Repository;
using Pgark.Repository.Format;

namespace Pgark.Drill;

/// <summary>
/// Drill results kept in the repository: <c>drills/&lt;file id&gt;</c>, an object of type Drill (6) whose body is the
/// drill JSON (spec/drill.md), compressed and, in an encrypted repository, sealed like a snapshot. Immutable and
/// content-addressed like every other file; prune leaves them alone.
/// </summary>
public static class DrillRecords
{
    public const string Directory = "drills/";

    /// <summary>Stores a result; returns its file name.</summary>
    public static async Task<string> SaveAsync(Repository.Repository repository, DrillResult result, CancellationToken cancellationToken = default)
    {
        var id = await repository.PutObjectAsync(Directory, ObjectType.Drill, DrillJson.Encode(result), cancellationToken).ConfigureAwait(false);
        return Directory + id;
    }

    /// <summary>Every stored drill result, oldest first (by start time).</summary>
    public static async Task<IReadOnlyList<DrillResult>> ListAsync(Repository.Repository repository, CancellationToken cancellationToken = default)
    {
        var results = new List<DrillResult>();
        await foreach (var info in repository.Store.ListAsync(Directory, cancellationToken).ConfigureAwait(false))
        {
            byte[] body = await repository.LoadObjectAsync(info.Name, ObjectType.Drill, cancellationToken).ConfigureAwait(false);
            try
            {
                results.Add(DrillJson.Decode(body));
            }
            catch (InvalidDataException e)
            {
                throw new RepositoryCorruptionException(CorruptionCause.WriterBug, info.Name, null, e.Message, e);
            }
        }
        return results.OrderBy(r => r.StartedAt).ToList();
    }

    /// <summary>The newest drill of any snapshot, or null when none was recorded (for <c>pgark info</c>).</summary>
    public static async Task<DrillResult?> LatestAsync(Repository.Repository repository, CancellationToken cancellationToken = default)
        => (await ListAsync(repository, cancellationToken).ConfigureAwait(false)).LastOrDefault();
}
