using Pgark.Repository.Format;
using Pgark.Repository.Ids;
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
                window.ChangedPages = ChangedPages(found, window, repository.Hasher);
        }
    }

    /// <summary>
    /// Compares each page of <paramref name="window"/> with the earlier backup's hash of that page, computed the way that
    /// backup computed it: at the page's place in the earlier extent (whose size need not be the candidate's), or of the page
    /// alone for extents written before subtree page hashes.
    /// </summary>
    internal static bool[] ChangedPages(TreeFile parent, SampleWindow window, ChunkHasher hasher)
    {
        var pageSize = parent.Entry.PageSize;
        var perExtent = parent.Entry.PagesPerExtent;
        var parentPages = (parent.Entry.Size + pageSize - 1) / pageSize;
        var count = (window.Data.Length + pageSize - 1) / pageSize;
        var changed = new bool[count];
        var current = new ulong[perExtent];
        var firstPage = window.Offset / pageSize;
        for (var i = 0; i < count;)
        {
            var page = firstPage + i;
            var extent = page / perExtent;
            if (page >= parentPages || extent >= parent.Extents.Count)
            {
                changed.AsSpan(i).Fill(true);
                break;
            }
            // The window's pages inside this earlier extent, hashed together.
            var inExtent = (int)(page % perExtent);
            var run = (int)Math.Min(Math.Min(perExtent - inExtent, count - i), parentPages - page);
            var bytes = window.Data.AsSpan(i * pageSize, Math.Min(run * pageSize, window.Data.Length - i * pageSize));
            var recorded = parent.Extents[(int)extent];
            if (recorded.PageHashKind == PageHashKind.Content)
                hasher.ContentPageHashes(bytes, pageSize, current);
            else
                hasher.PageHashes(bytes, pageSize, inExtent, (int)Math.Min(perExtent, parentPages - extent * perExtent), current);
            for (var p = 0; p < run; p++)
                changed[i + p] = current[p] != recorded.PageHashes[inExtent + p];
            i += run;
        }
        return changed;
    }
}
