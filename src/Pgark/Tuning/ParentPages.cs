using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;

namespace Pgark.Tuning;

/// <summary>
/// Attaches an earlier backup's page hashes to the sampled relation windows (spec/tune.md §4). Walks the earlier snapshot's
/// tree once in path order with a cursor, so memory is one tree record plus the sample, whatever the cluster's size.
/// </summary>
public static class ParentPages
{
    public static async Task AttachAsync(Repository.Repository repository, SnapshotRecord parent, IReadOnlyList<SampleWindow> windows,
        CancellationToken cancellationToken = default)
    {
        var byPath = windows.Where(w => w.IsRelation).GroupBy(w => w.Path).OrderBy(g => g.Key, StringComparer.Ordinal);
        await using var cursor = repository.OpenTreeCursor(parent, cancellationToken);
        foreach (var file in byPath)
        {
            var found = await cursor.SeekAsync(file.Key).ConfigureAwait(false);
            if (found is null || found.Entry.Layout != FileLayout.Paged || found.Entry.PageSize != FormatConstants.DefaultPageSize)
                continue;
            foreach (var window in file)
                window.ParentPageHashes = HashesFor(found, window);
        }
    }

    private static ulong[] HashesFor(TreeFile parent, SampleWindow window)
    {
        var pageSize = FormatConstants.DefaultPageSize;
        var perExtent = parent.Entry.PagesPerExtent;
        var parentPages = (parent.Entry.Size + pageSize - 1) / pageSize;
        var hashes = new ulong[(window.Data.Length + pageSize - 1) / pageSize];
        var firstPage = window.Offset / pageSize;
        for (var i = 0; i < hashes.Length; i++)
        {
            var page = firstPage + i;
            if (page >= parentPages || page / perExtent >= parent.Extents.Count)
                break;
            hashes[i] = parent.Extents[(int)(page / perExtent)].PageHashes[page % perExtent];
        }
        return hashes;
    }
}
