using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests;

/// <summary>A writer killed at every put of a second backup leaves the first restorable and check free of errors (spec §14).</summary>
public sealed class CrashSafetyTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("pw")]
    public async Task Killing_a_backup_at_any_put_leaves_earlier_snapshots_restorable_and_check_clean(string? passphrase)
    {
        var data = new TestData.DataDirectory();
        var changed = new TestData.DataDirectory { Relation = TestData.Relation(90, seed: 99), Stream = TestData.Random(150_000, 98) };
        var completed = false;
        var puts = 0;
        for (; !completed; puts++)
        {
            Assert.True(puts < 200, "the backup never completed");
            var inner = new MemoryStore();
            var first = (await TestData.BackupAsync(await TestData.InitAsync(inner, passphrase), data, "first")).Snapshot;

            var faulty = new FaultyStore(inner);
            faulty.CrashAfterPuts(puts);
            try
            {
                var writer = await Repository.OpenAsync(faulty, TestData.Options(passphrase));
                await TestData.BackupAsync(writer, changed, "second", first, TestData.Time.AddHours(1));
                completed = true;
            }
            catch (RepositoryStorageException)
            {
                Assert.True(faulty.Crashed);
            }

            var reader = await Repository.OpenAsync(inner, TestData.Options(passphrase));
            var snapshots = await reader.ListSnapshotsAsync();
            Assert.Equal(completed ? 2 : 1, snapshots.Count);
            Assert.Equal(data.Relation, (await TestData.RestoreAsync(reader, snapshots[0]))["base/5/16384"]);
            var report = await reader.CheckAsync(readData: true);
            Assert.False(report.HasErrors, $"after a crash at put {puts}: {string.Join("; ", report.Errors)}");
        }
        // lock, packs, index delta, snapshot: a crash was injected before each of them.
        Assert.True(puts >= 4, $"only {puts} crash points were exercised");
    }

    [Fact]
    public async Task A_session_whose_pack_put_failed_refuses_further_work_instead_of_committing_dangling_references()
    {
        var inner = new MemoryStore();
        await TestData.InitAsync(inner);
        var faulty = new FaultyStore(inner);
        var repository = await Repository.OpenAsync(faulty, TestData.Options());
        await using var session = await repository.BeginBackupAsync();
        var chunk = await session.AddChunkAsync(TestData.Random(10_000, 1));
        faulty.AddFault(BlobOperation.Put, FaultKind.FailBefore, namePrefix: "packs/");
        await Assert.ThrowsAsync<RepositoryStorageException>(async () => await session.AddChunkAsync(TestData.Random(100_000, 2)));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await session.AddChunkAsync(TestData.Random(10, 3)));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await session.AddFileAsync(
            Snapshots.FileEntry.Regular("f", chunk.PlainLength, TestData.Time), [chunk]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.CommitAsync(TestData.Metadata("never")));
        Assert.Equal(0, await TestData.CountAsync(inner, "snapshots/"));
    }

    [Fact]
    public async Task A_torn_pack_write_on_a_non_atomic_store_is_found_by_check_as_storage_damage()
    {
        var inner = new MemoryStore();
        var repository = await TestData.InitAsync(inner);
        var faulty = new FaultyStore(inner);
        faulty.AddFault(BlobOperation.Put, FaultKind.TornWrite, namePrefix: "index/");
        var writer = await Repository.OpenAsync(faulty, TestData.Options());
        await Assert.ThrowsAsync<RepositoryStorageException>(() => TestData.BackupAsync(writer, new TestData.DataDirectory(), "torn"));
        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => Repository.OpenAsync(inner, TestData.Options()));
        Assert.Equal(CorruptionCause.StorageDamage, e.Cause);
        Assert.StartsWith("index/", e.FileName);
        _ = repository;
    }
}
