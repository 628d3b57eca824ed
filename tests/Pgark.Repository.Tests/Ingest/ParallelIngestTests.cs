using Pgark.Repository.Config;
using Pgark.Repository.Format;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests.Ingest;

/// <summary>The session's queued (parallel) ingest stores what the inline path stores, in the same order, within its bounds.</summary>
public sealed class ParallelIngestTests
{
    [Fact]
    public async Task Queued_chunks_get_the_same_references_in_the_same_order_as_inline_ones_and_duplicates_are_stored_once()
    {
        // 300 chunks drawn from 40 distinct contents, so the workers race on identical bytes all the time.
        var contents = Enumerable.Range(0, 40).Select(i => TestData.Random(1000 + i * 997, seed: i)).ToArray();
        var order = Enumerable.Range(0, 300).Select(i => contents[(i * 7919) % contents.Length]).ToArray();

        var inlineRepository = await TestData.InitAsync(new MemoryStore());
        var inlineRefs = new List<ChunkRef>();
        await using (var inline = await inlineRepository.BeginBackupAsync())
        {
            foreach (var bytes in order)
                inlineRefs.Add(await inline.AddChunkAsync(bytes));
        }

        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        var queued = new List<ChunkRef>();
        await using var session = await repository.BeginBackupAsync();
        foreach (var bytes in order)
            await session.QueueChunkAsync(bytes, queued);
        await session.AddFileAsync(FileEntry.Regular("f", order.Sum(b => (long)b.Length), TestData.Time), queued);
        var snapshot = await session.CommitAsync(TestData.Metadata("queued"));

        Assert.Equal(inlineRefs, queued);
        Assert.Equal(contents.Length + 1, session.StoredChunks); // the distinct contents plus one tree chunk
        Assert.Equal(order.Length - contents.Length, session.DeduplicatedChunks);
        Assert.Equal(contents.Length + 1, repository.Index.Count);
        var restored = (await TestData.RestoreAsync(repository, snapshot))["f"];
        Assert.Equal(order.SelectMany(b => b).ToArray(), restored);
        Assert.False((await repository.CheckAsync(readData: true)).HasErrors);
    }

    [Fact]
    public async Task Queued_extents_match_inline_extents_including_unchanged_and_page_delta_ones()
    {
        var repository = await TestData.InitAsync(new MemoryStore());
        var data = new TestData.DataDirectory();
        var (first, _) = await TestData.BackupAsync(repository, data, "first");
        await using var cursor = repository.OpenTreeCursor(first.Record);
        var parent = (await cursor.SeekAsync("base/5/16384"))!.Extents;

        var changed = (byte[])data.Relation.Clone();
        TestData.Random(300, seed: 77).CopyTo(changed, 8192 * 9 + 10); // one page of extent 1
        var relation = FileEntry.Paged("base/5/16384", changed.Length, TestData.Time, extentSize: 64 * 1024);
        await using var session = await repository.BeginBackupAsync();
        var queued = new List<ExtentRef>();
        for (var e = 0; e < relation.ExtentCount; e++)
        {
            var slice = changed.AsMemory(e * relation.ExtentSize, (int)Math.Min(relation.ExtentSize, changed.Length - e * (long)relation.ExtentSize));
            await session.QueueExtentAsync(slice, relation.PageSize, relation.PagesPerExtent, parent[e], queued);
        }
        await session.DrainAsync();

        Assert.Equal(relation.ExtentCount, queued.Count);
        Assert.Same(parent[0], queued[0]); // unchanged: the parent's reference itself
        Assert.Equal(1, queued[1].DeltaDepth); // one changed page of eight: a page delta on the parent
        for (var e = 2; e < queued.Count; e++)
            Assert.Same(parent[e], queued[e]);
        Assert.Equal(1, session.StoredChunks);
        await session.AddPagedFileAsync(relation, queued);
        var snapshot = await session.CommitAsync(TestData.Metadata("second", TestData.Time.AddHours(1)));
        Assert.Equal(changed, (await TestData.RestoreAsync(repository, snapshot))["base/5/16384"]);
    }

    [Fact]
    public async Task Published_ids_leave_the_hash_set_and_are_still_deduplicated_and_the_queue_stays_within_its_window()
    {
        var options = TestData.Options() with { Storage = StorageSettings.Default with { PackTargetSize = 16 * 1024 }, IndexDeltaEntries = 8, IngestWindowBytes = 64 * 1024 };
        var store = new MemoryStore();
        var repository = await Repository.InitAsync(store, new RepositoryInitOptions(), options);
        var chunks = Enumerable.Range(0, 200).Select(i => TestData.Random(4000, seed: 1000 + i)).ToArray();
        await using var session = await repository.BeginBackupAsync();
        var refs = new List<ChunkRef>();
        long maxQueued = 0;
        int maxUnpublished = 0;
        foreach (var chunk in chunks.Concat(chunks)) // the second round must find every chunk already written
        {
            await session.QueueChunkAsync(chunk, refs);
            maxQueued = Math.Max(maxQueued, session.QueuedBytes);
            maxUnpublished = Math.Max(maxUnpublished, session.UnpublishedChunkIds);
        }
        await session.DrainAsync();

        Assert.Equal(chunks.Length, session.StoredChunks);
        Assert.Equal(chunks.Length, session.DeduplicatedChunks);
        Assert.True(maxQueued <= options.IngestWindowBytes, $"{maxQueued} bytes queued, window {options.IngestWindowBytes}");
        // At most one delta's worth of packs plus the pack being built: 8 entries + one pack of ≤ 5 chunks of 4000 bytes.
        Assert.True(maxUnpublished <= options.IndexDeltaEntries + 5, $"{maxUnpublished} ids unpublished");
        Assert.True(await TestData.CountAsync(store, "index/") >= chunks.Length / (options.IndexDeltaEntries + 5));
    }

    [Fact]
    public async Task A_failing_queued_job_breaks_the_session_and_nothing_is_committed()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        await using var session = await repository.BeginBackupAsync();
        var refs = new List<ExtentRef>();
        // Nine pages do not fit an extent of eight: the worker's check throws, and the caller hears it at the drain.
        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await session.QueueExtentAsync(new byte[9 * 8192], 8192, 8, parent: null, refs);
            await session.DrainAsync();
        });
        Assert.Contains("does not fit 8 pages", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.CommitAsync(TestData.Metadata("broken")));
        Assert.Equal(0, await TestData.CountAsync(store, SnapshotRecord.Directory));
    }

    [Fact]
    public async Task Merging_a_delta_into_the_merged_index_finds_old_and_new_ids_and_keeps_one_entry_per_chunk()
    {
        var repository = await TestData.InitAsync(new MemoryStore());
        var data = new TestData.DataDirectory();
        await TestData.BackupAsync(repository, data, "first");
        var before = repository.Index;
        var bytes = TestData.Random(5000, seed: 5);
        var id = repository.Hasher.Compute(bytes);
        var pack = new PackWriter(repository.Codec, repository.Hasher);
        pack.Add(id, ChunkKind.Data, bytes);
        var existing = before.Enumerate().First();
        var finished = pack.Finish();
        var merged = before.Merge(IndexDelta.FromPacks([(finished.PackId, finished.Entries)]));

        Assert.Equal(before.Count + 1, merged.Count);
        Assert.True(merged.TryGet(id, out var location));
        Assert.Equal(finished.PackId, location.Pack);
        Assert.Equal(before.Count, merged.Enumerate().Count(e => e.Prefix != id.Prefix128));
        Assert.Contains(merged.Enumerate(), e => e.Prefix == existing.Prefix && e.Pack == existing.Pack);
        Assert.Equal(merged.Count, merged.Merge(IndexDelta.FromPacks([(finished.PackId, finished.Entries)])).Count);
    }
}
