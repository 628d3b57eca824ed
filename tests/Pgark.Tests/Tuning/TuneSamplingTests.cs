using Pgark.Repository.Config;
using Pgark.Repository.Ids;
using Pgark.Repository.Snapshots;
using Pgark.Tuning;

namespace Pgark.Tests.Tuning;

public sealed class TuneSamplingTests
{
    private const int Mib = SampleCollector.WindowSize;

    [Fact]
    public void Every_kth_window_is_kept_so_each_file_is_represented_in_proportion_to_its_size()
    {
        // One 200 MiB table and four 8 MiB ones; a 24 MiB budget keeps one window in ceil(232/24) = 10.
        (string Path, int Mib)[] files = [("base/5/1000", 200), ("base/5/1001", 8), ("base/5/1002", 8), ("base/5/1003", 8), ("base/5/1004", 8)];
        var collector = new SampleCollector(232L * Mib, 24L * Mib);
        Assert.Equal(10, collector.Stride);
        var chunk = new byte[300_000]; // pieces that straddle window boundaries, as tar data does
        foreach (var (path, size) in files)
        {
            collector.BeginFile(path, isRelation: true);
            for (long left = (long)size * Mib; left > 0; left -= chunk.Length)
                collector.Write(chunk.AsSpan(0, (int)Math.Min(chunk.Length, left)));
            collector.EndFile();
        }
        var perFile = collector.Windows.GroupBy(w => w.Path).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(20, perFile["base/5/1000"]);
        Assert.All(files.Skip(1), f => Assert.InRange(perFile.GetValueOrDefault(f.Path), 0, 1));
        Assert.Equal(3, files.Skip(1).Count(f => perFile.ContainsKey(f.Path))); // 32 small windows: 3 sequence positions land in them
        Assert.True(collector.SampledBytes <= 24L * Mib);
        Assert.All(collector.Windows, w => Assert.Equal(0, w.Offset % Mib));
        Assert.Equal(232L * Mib, collector.RelationBytesSeen);
    }

    [Fact]
    public void Planning_windows_without_reading_picks_the_same_windows_as_streaming()
    {
        long[] sizes = [5 * Mib + 100, 0, 300, 40L * Mib, 7 * Mib];
        var streamed = new SampleCollector(60L * Mib, 8L * Mib);
        var planned = new SampleCollector(60L * Mib, 8L * Mib);
        for (var f = 0; f < sizes.Length; f++)
        {
            streamed.BeginFile($"f{f}", isRelation: false);
            streamed.Write(new byte[sizes[f]]);
            streamed.EndFile();
            foreach (var offset in planned.PlanFile(sizes[f], isRelation: false))
                planned.AddWindow($"f{f}", offset, false, new byte[Math.Min(Mib, sizes[f] - offset)]);
        }
        Assert.Equal(streamed.Windows.Select(w => (w.Path, w.Offset, w.Data.Length)), planned.Windows.Select(w => (w.Path, w.Offset, w.Data.Length)));
        Assert.NotEmpty(streamed.Windows);
    }

    [Fact]
    public void A_repeat_backup_is_priced_from_the_earlier_page_hashes()
    {
        var data = TuneData.Compressible(Mib, seed: 3);
        var store = new TrialStore(StorageSettings.Default, ChunkHasher.Unkeyed, null);
        var parent = ParentOf(data, store.Settings.ExtentSize, PageHashKind.Subtree);

        var unchanged = new SampleWindow("base/5/1", 0, true, data);
        unchanged.ChangedPages = ParentPages.ChangedPages(parent, unchanged, ChunkHasher.Unkeyed);
        var changedData = (byte[])data.Clone();
        changedData[8192 * 5 + 100] ^= 0xFF;
        var onePage = new SampleWindow("base/5/2", 0, true, changedData);
        onePage.ChangedPages = ParentPages.ChangedPages(parent, onePage, ChunkHasher.Unkeyed);
        Assert.Equal([5], ChangedIndexes(onePage.ChangedPages));
        var newFile = new SampleWindow("base/5/3", 0, true, data);

        var none = TrialRepeat.Run([unchanged], store, _ => false, TimeSpan.FromMinutes(1), 1);
        Assert.Equal(0, none.StoredRelationBytes);
        Assert.Equal(0, none.ChangedPages);
        Assert.Equal(128, none.Pages);

        var delta = TrialRepeat.Run([onePage], store, _ => false, TimeSpan.FromMinutes(1), 1);
        Assert.Equal(1, delta.ChangedPages);
        var tree = TrialRepeat.TreeChunkBytes(store);
        Assert.InRange(delta.StoredRelationBytes - tree, 1, 8192 + 200); // one page delta (compressed) plus its pack entry

        var whole = TrialRepeat.Run([newFile], store, _ => false, TimeSpan.FromMinutes(1), 1);
        var full = TrialIngest.Run([newFile], store, TimeSpan.FromMinutes(1), 1);
        Assert.Equal(128, whole.ChangedPages);
        Assert.Equal(full.StoredRelationBytes - 4 * store.TreeBytesPerExtent, whole.StoredRelationBytes - tree);
    }
    [Theory]
    [InlineData(256 << 10, PageHashKind.Subtree)]
    [InlineData(4 << 20, PageHashKind.Subtree)] // the window is the second quarter of one earlier extent
    [InlineData(8192, PageHashKind.Subtree)] // one-page extents: a page's hash is the extent's id
    [InlineData(4 << 20, PageHashKind.Content)] // an earlier version's page hashes
    public void Changed_pages_are_found_at_their_place_in_the_earlier_extents(int parentExtentSize, PageHashKind kind)
    {
        var file = TuneData.Compressible(4 * Mib, seed: 4);
        var parent = ParentOf(file, parentExtentSize, kind);
        var window = file.AsSpan(Mib, Mib).ToArray();
        Assert.Empty(ChangedIndexes(ParentPages.ChangedPages(parent, new SampleWindow("base/5/4", Mib, true, window), ChunkHasher.Unkeyed)));

        window[8192 * 7 + 1] ^= 0x01;
        window[8192 * 100] ^= 0x80;
        Assert.Equal([7, 100], ChangedIndexes(ParentPages.ChangedPages(parent, new SampleWindow("base/5/4", Mib, true, window), ChunkHasher.Unkeyed)));
    }

    [Fact]
    public void Pages_a_file_grew_by_are_changed_and_its_old_one_page_tail_extent_still_compares()
    {
        // The earlier file: four 256 KiB extents and a fifth of one page, whose page hash is that extent's id.
        var earlier = TuneData.Compressible(Mib + 8192, seed: 5);
        var parent = ParentOf(earlier, 256 << 10, PageHashKind.Subtree);
        var grown = new byte[Mib];
        earlier.AsSpan(Mib).CopyTo(grown);
        TuneData.Compressible(Mib - 8192, seed: 6).CopyTo(grown.AsSpan(8192));
        var changed = ParentPages.ChangedPages(parent, new SampleWindow("base/5/4", Mib, true, grown), ChunkHasher.Unkeyed);
        Assert.Equal(Enumerable.Range(1, Mib / 8192 - 1), ChangedIndexes(changed));
    }

    /// <summary>The tree entry a backup of <paramref name="data"/> would have recorded, with page hashes of the given kind.</summary>
    private static TreeFile ParentOf(byte[] data, int extentSize, PageHashKind kind)
    {
        const int pageSize = 8192;
        var extents = new List<ExtentRef>();
        for (var at = 0; at < data.Length; at += extentSize)
        {
            var extent = data.AsSpan(at, Math.Min(extentSize, data.Length - at));
            var hashes = new ulong[extentSize / pageSize];
            var id = ChunkHasher.Unkeyed.ComputeExtent(extent, pageSize, hashes);
            if (kind == PageHashKind.Content)
                ChunkHasher.Unkeyed.ContentPageHashes(extent, pageSize, hashes);
            extents.Add(new ExtentRef(id, 0, hashes, kind));
        }
        return new TreeFile(FileEntry.Paged("base/5/4", data.Length, DateTimeOffset.UnixEpoch, extentSize: extentSize), [], extents);
    }

    private static int[] ChangedIndexes(bool[]? changed) => [.. changed!.Select((c, i) => (c, i)).Where(x => x.c).Select(x => x.i)];
}
