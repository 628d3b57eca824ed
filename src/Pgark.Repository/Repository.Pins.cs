using Pgark.Repository.Ids;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository;

// Pins (spec §2, pins/): an empty file named by the snapshot id keeps that snapshot whatever forget's policy says.
public sealed partial class Repository
{
    public const string PinDirectory = "pins/";

    public static string PinFileName(ChunkId snapshotId) => PinDirectory + snapshotId;

    /// <summary>Pins a snapshot (it must exist). Pinning twice is not an error.</summary>
    public async Task PinAsync(ChunkId snapshotId, CancellationToken cancellationToken = default)
    {
        if (await Store.StatAsync(SnapshotRecord.FileName(snapshotId), cancellationToken).ConfigureAwait(false) is null)
            throw new RepositoryObjectMissingException(SnapshotRecord.FileName(snapshotId), snapshotId.ToString(), "there is no such snapshot to pin");
        await PutImmutableAsync(PinFileName(snapshotId), [], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a pin; false when the snapshot was not pinned.</summary>
    public async Task<bool> UnpinAsync(ChunkId snapshotId, CancellationToken cancellationToken = default)
        => await Store.DeleteAsync(PinFileName(snapshotId), cancellationToken).ConfigureAwait(false);

    /// <summary>The ids of pinned snapshots (pins of snapshots that no longer exist included; callers intersect).</summary>
    public async Task<IReadOnlySet<ChunkId>> ListPinsAsync(CancellationToken cancellationToken = default)
    {
        var pins = new HashSet<ChunkId>();
        await foreach (var info in Store.ListAsync(PinDirectory, cancellationToken).ConfigureAwait(false))
        {
            if (ChunkId.TryParse(info.Name[PinDirectory.Length..], out var id))
                pins.Add(id);
        }
        return pins;
    }
}
