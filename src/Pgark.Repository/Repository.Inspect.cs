using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;

namespace Pgark.Repository;

public sealed partial class Repository
{
    /// <summary>One index delta, checked against its name and decoded (for <c>pgark cat index</c>).</summary>
    public async Task<IndexDelta> LoadIndexDeltaAsync(ChunkId id, CancellationToken cancellationToken = default)
    {
        var name = IndexDelta.FileName(id);
        var body = await LoadObjectAsync(name, ObjectType.Index, cancellationToken).ConfigureAwait(false);
        return Decode(name, body, b => IndexDelta.DecodeBody(b));
    }
}
