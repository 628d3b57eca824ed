using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests.Maintenance;

public sealed class PruneTests
{
    private static TestData.DataDirectory Changed()
    {
        var data = new TestData.DataDirectory { Stream = TestData.Random(120_000, 77) };
        TestData.Random(500, 78).CopyTo(data.Relation, 8192 * 5 + 10);
        return data;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("pw")]
    public async Task Prune_after_forget_frees_space_and_keeps_the_remaining_snapshot_and_its_delta_bases(string? passphrase)
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store, passphrase);
        var (first, _) = await TestData.BackupAsync(repository, new TestData.DataDirectory(), "first");
        var (second, _) = await TestData.BackupAsync(repository, Changed(), "second", first, TestData.Time.AddHours(1));
        var before = (await repository.GetStatsAsync()).StoredBytes;

        await repository.ForgetAsync(first.Id);
        var result = await repository.PruneAsync(repackUnusedFraction: 0.0);

        Assert.True(result.UnreachableChunks > 0);
        Assert.True(result.PacksDeleted + result.PacksRepacked > 0);
        var stats = await repository.GetStatsAsync();
        Assert.True(stats.StoredBytes < before, $"{stats.StoredBytes} stored bytes after prune, {before} before");
        Assert.Equal(1, stats.Snapshots);
        Assert.Equal(1, await TestData.CountAsync(store, "index/"));
        var reopened = await Repository.OpenAsync(store, TestData.Options(passphrase));
        Assert.Equal(Changed().Relation, (await TestData.RestoreAsync(reopened, second))["base/5/16384"]);
        var report = await reopened.CheckAsync(readData: true);
        Assert.Empty(report.Problems);
        Assert.Equal(0, (await reopened.PruneAsync(0.0)).PacksDeleted);
    }

    [Fact]
    public async Task A_backup_in_a_process_that_read_the_index_before_another_process_pruned_stores_what_prune_deleted()
    {
        var store = new MemoryStore();
        var writer = await TestData.InitAsync(store);
        var (first, _) = await TestData.BackupAsync(writer, new TestData.DataDirectory(), "first");
        // An appliance opened the repository (its index lists the first backup's chunks) and sits idle ...
        var appliance = await Repository.OpenAsync(store, TestData.Options());
        // ... while another process forgets that backup and prunes its packs away.
        await writer.ForgetAsync(first.Id);
        Assert.True((await writer.PruneAsync(repackUnusedFraction: 0.0)).PacksDeleted > 0);

        // The same data again: the appliance must store it, not reference chunks that no longer exist.
        var (again, _) = await TestData.BackupAsync(appliance, new TestData.DataDirectory(), "again");
        var report = await (await Repository.OpenAsync(store, TestData.Options())).CheckAsync(readData: true);
        Assert.Empty(report.Problems);
        Assert.Equal(new TestData.DataDirectory().Relation, (await TestData.RestoreAsync(appliance, again))["base/5/16384"]);
    }

    [Fact]
    public async Task Prune_killed_at_any_put_or_delete_leaves_every_snapshot_restorable()
    {
        var completed = false;
        for (var puts = 0; !completed; puts++)
        {
            Assert.True(puts < 100);
            var inner = new MemoryStore();
            var repository = await TestData.InitAsync(inner);
            var (first, _) = await TestData.BackupAsync(repository, new TestData.DataDirectory(), "first");
            var (second, _) = await TestData.BackupAsync(repository, Changed(), "second", first, TestData.Time.AddHours(1));
            await repository.ForgetAsync(first.Id);

            var faulty = new FaultyStore(inner);
            faulty.CrashAfterPuts(puts);
            try
            {
                await (await Repository.OpenAsync(faulty, TestData.Options())).PruneAsync(0.0);
                completed = true;
            }
            catch (RepositoryStorageException)
            {
            }
            var reader = await Repository.OpenAsync(inner, TestData.Options());
            Assert.Equal(Changed().Stream, (await TestData.RestoreAsync(reader, second))["pg_wal_dump.bin"]);
            Assert.False((await reader.CheckAsync(readData: true)).HasErrors);
        }
    }

    [Fact]
    public async Task Prune_refuses_to_run_beside_a_live_backup()
    {
        var repository = await TestData.InitAsync(new MemoryStore());
        await using var session = await repository.BeginBackupAsync();
        await Assert.ThrowsAsync<RepositoryLockConflictException>(() => repository.PruneAsync());
        _ = ChunkKind.Data;
    }
}
