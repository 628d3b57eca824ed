using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests;

public sealed class RepositoryRoundTripTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("correct horse battery staple")]
    public async Task A_backup_restores_byte_for_byte_after_reopening(string? passphrase)
    {
        var store = new MemoryStore();
        var data = new TestData.DataDirectory();
        var repository = await TestData.InitAsync(store, passphrase);
        var (snapshot, _) = await TestData.BackupAsync(repository, data, "first");

        var reopened = await Repository.OpenAsync(store, TestData.Options(passphrase));
        var listed = Assert.Single(await reopened.ListSnapshotsAsync());
        Assert.Equal(snapshot.Id, listed.Id);
        Assert.Equal("first", listed.Record.Metadata.Label);
        Assert.Equal(7_301_234_567_890_123_456UL, listed.Record.Metadata.SystemIdentifier);
        Assert.Equal(0x3000100UL, listed.Record.Metadata.EndLsn);

        var files = await TestData.RestoreAsync(reopened, listed);
        Assert.Equal(["PG_VERSION", "base", "base/5", "base/5/16384", "pg_wal", "pg_wal_dump.bin"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(data.Relation, files["base/5/16384"]);
        Assert.Equal(data.Stream, files["pg_wal_dump.bin"]);
        Assert.Equal(data.PgVersion, files["PG_VERSION"]);
        var manifest = Assert.Single(listed.Record.Documents);
        Assert.Equal(data.Manifest, await reopened.ReadDocumentAsync(manifest));
        Assert.False((await reopened.CheckAsync(readData: true)).HasErrors);
    }

    [Fact]
    public async Task Opened_without_its_index_a_repository_lists_snapshots_and_refuses_chunk_reads_by_name()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        var (snapshot, _) = await TestData.BackupAsync(repository, new TestData.DataDirectory(), "first");

        var light = await Repository.OpenAsync(store, TestData.Options() with { LoadIndex = false });
        Assert.Equal(snapshot.Id, Assert.Single(await light.ListSnapshotsAsync()).Id);
        // Not "chunk missing": the index was never read, and the error says so.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestData.RestoreAsync(light, snapshot));
        Assert.Contains("opened without its chunk index", error.Message);
        await light.LoadIndexAsync();
        Assert.Equal(new TestData.DataDirectory().Relation, (await TestData.RestoreAsync(light, snapshot))["base/5/16384"]);
    }

    [Fact]
    public async Task Repeating_an_identical_backup_stores_no_chunk_at_all()
    {
        var repository = await TestData.InitAsync(new MemoryStore());
        var data = new TestData.DataDirectory();
        var (first, _) = await TestData.BackupAsync(repository, data, "first");
        var (second, session) = await TestData.BackupAsync(repository, data, "second", parent: first, start: TestData.Time.AddHours(1));
        Assert.Equal(0, session.StoredChunks);
        Assert.Equal(first.Record.TreeChunks, second.Record.TreeChunks);
        Assert.Equal(["first", "second"], (await repository.ListSnapshotsAsync()).Select(s => s.Record.Metadata.Label));
    }

    [Fact]
    public async Task A_repeat_backup_stores_only_changed_pages_as_page_deltas()
    {
        var repository = await TestData.InitAsync(new MemoryStore());
        var data = new TestData.DataDirectory();
        var (first, _) = await TestData.BackupAsync(repository, data, "first");

        var changed = (byte[])data.Relation.Clone();
        int[] pages = [3, 9, 40, 41];
        foreach (var page in pages)
            TestData.Random(4096, seed: 100 + page).CopyTo(changed, page * 8192 + 100);
        var modified = new TestData.DataDirectory { Relation = changed };
        var (second, session) = await TestData.BackupAsync(repository, modified, "second", parent: first, start: TestData.Time.AddHours(1));

        // Goal (spec §7.1): at most 1.25x the compressed changed pages, plus the fixed cost of the touched tree chunks.
        var changedPagesCompressed = pages.Sum(p => CompressedSize(changed.AsSpan(p * 8192, 8192)));
        var treeBytes = second.Record.TreePlainBytes;
        Assert.True(session.StoredBytes <= changedPagesCompressed * 1.25 + treeBytes + 1024,
            $"stored {session.StoredBytes} bytes for {changedPagesCompressed} bytes of compressed changed pages and a {treeBytes}-byte tree");
        Assert.Equal(changed, (await TestData.RestoreAsync(repository, second))["base/5/16384"]);
        Assert.Equal(data.Relation, (await TestData.RestoreAsync(repository, first))["base/5/16384"]);
    }

    [Fact]
    public async Task Delta_chains_stay_restorable_and_are_cut_at_the_writer_depth_limit()
    {
        var repository = await TestData.InitAsync(new MemoryStore());
        var data = new TestData.DataDirectory();
        var (parent, _) = await TestData.BackupAsync(repository, data, "0");
        for (var generation = 1; generation <= FormatConstants.MaxWriterDeltaDepth + 2; generation++)
        {
            TestData.Random(100, seed: generation).CopyTo(data.Relation, 8192 * 2 + 50);
            (parent, _) = await TestData.BackupAsync(repository, data, generation.ToString(), parent, TestData.Time.AddHours(generation));
            Assert.Equal(data.Relation, (await TestData.RestoreAsync(repository, parent))["base/5/16384"]);
            var depths = new List<int>();
            await foreach (var file in repository.ReadTreeAsync(parent.Record))
                depths.AddRange(file.Extents.Select(e => e.DeltaDepth));
            // Depth grows by one per generation until the limit, then the writer stores the whole extent again.
            var expected = generation <= FormatConstants.MaxWriterDeltaDepth ? generation : generation - FormatConstants.MaxWriterDeltaDepth - 1;
            Assert.Equal(expected, depths[0]);
            Assert.All(depths.Skip(1), d => Assert.Equal(0, d));
        }
        Assert.False((await repository.CheckAsync(readData: true)).HasErrors);
    }

    [Fact]
    public async Task Snapshots_are_found_by_unique_id_prefix_and_ambiguity_is_an_error()
    {
        var repository = await TestData.InitAsync(new MemoryStore());
        var (snapshot, _) = await TestData.BackupAsync(repository, new TestData.DataDirectory(), "one");
        Assert.Equal(snapshot.Id, (await repository.FindSnapshotAsync(snapshot.Id.ToString()[..6])).Id);
        var missing = await Assert.ThrowsAsync<RepositoryObjectMissingException>(() => repository.FindSnapshotAsync(
            snapshot.Id.ToString()[0] == '0' ? "1111" : "0000"));
        Assert.Contains("no snapshot id starts with this prefix", missing.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => repository.FindSnapshotAsync("ab"));
    }

    [Fact]
    public async Task Init_refuses_a_store_that_already_holds_a_repository()
    {
        var store = new MemoryStore();
        await TestData.InitAsync(store);
        await Assert.ThrowsAsync<BlobAlreadyExistsException>(() => TestData.InitAsync(store));
    }

    [Fact]
    public async Task Tree_paths_out_of_order_are_refused_while_writing()
    {
        var repository = await TestData.InitAsync(new MemoryStore());
        await using var session = await repository.BeginBackupAsync();
        await session.AddFileAsync(Snapshots.FileEntry.Directory("base", TestData.Time), []);
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await session.AddFileAsync(Snapshots.FileEntry.Directory("PG_VERSION", TestData.Time), []));
        Assert.Equal("tree paths must be added in ascending ordinal order without repeats: 'PG_VERSION' after 'base'", e.Message);
    }

    private static int CompressedSize(ReadOnlySpan<byte> page)
    {
        var buffer = new byte[Pgark.Repository.Codecs.Zstd.CompressBound(page.Length)];
        return Pgark.Repository.Codecs.Zstd.Compress(page, buffer, 3);
    }
}
