using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Snapshots;

namespace Pgark.Physical;

/// <summary>
/// The newest physical snapshot of the same system: its relation files' extents are the parents of this backup's
/// extents, so unchanged extents are free and changed ones become page deltas.
/// </summary>
internal sealed class ParentSnapshot
{
    private readonly Dictionary<string, IReadOnlyList<ExtentRef>> _extents;

    private ParentSnapshot(ChunkId id, Dictionary<string, IReadOnlyList<ExtentRef>> extents)
    {
        Id = id;
        _extents = extents;
    }

    public static ParentSnapshot None { get; } = new(default, []);

    public ChunkId Id { get; }

    public IReadOnlyList<ExtentRef>? ExtentsOf(string path) => _extents.GetValueOrDefault(path);

    public static async Task<ParentSnapshot> LoadAsync(Repository.Repository repository, ulong systemIdentifier, CancellationToken cancellationToken)
    {
        var snapshots = await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        SnapshotInfo? newest = snapshots.LastOrDefault(s => s.Record.Metadata.Kind == SnapshotKind.Physical
            && s.Record.Metadata.SystemIdentifier == systemIdentifier);
        if (newest is null)
            return None;
        var extents = new Dictionary<string, IReadOnlyList<ExtentRef>>(StringComparer.Ordinal);
        await foreach (TreeFile file in repository.ReadTreeAsync(newest.Record, cancellationToken).ConfigureAwait(false))
        {
            // A parent written with another extent size has no extent at the same position: those files are stored whole.
            if (file.Entry.Layout == FileLayout.Paged && file.Entry.ExtentSize == repository.Settings.ExtentSize
                && file.Entry.PageSize == FormatConstants.DefaultPageSize)
                extents[file.Entry.Path] = file.Extents;
        }
        return new ParentSnapshot(newest.Id, extents);
    }
}
