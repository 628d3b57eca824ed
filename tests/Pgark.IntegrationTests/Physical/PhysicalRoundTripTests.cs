using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Physical.Restore;

namespace Pgark.IntegrationTests.Physical;

/// <summary>
/// Backup over the replication protocol, restore, start the restored directory with PostgreSQL and compare every
/// table; then an incremental backup that stores a small fraction of the first.
/// </summary>
public sealed class PhysicalRoundTripTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly string[] s_databases = ["app1", "app2"];
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task A_restored_backup_starts_and_holds_the_same_rows_and_a_second_backup_stores_little()
    {
        using var bed = new PhysicalTestBed();
        await PhysicalTestBed.LoadWorkloadAsync(_cluster, s_databases, rows: 100_000);
        var before = await PhysicalTestBed.FingerprintAsync(_cluster, s_databases);
        var repository = await bed.InitRepositoryAsync();

        var first = await PhysicalTestBed.BackupAsync(repository, _cluster);

        // The phases are the backup's steps in order, inside its duration; the wait for the server lies inside streaming.
        Assert.Equal(["connect and identify", "lock and parent snapshot", "WAL slot", "BASE_BACKUP start (checkpoint)", "WAL streaming start",
            "stream archives", "row-count slot and marker", "wait for WAL end", "store WAL", "count rows", "documents and tree", "commit"],
            first.Phases.Select(p => p.Name));
        Assert.InRange(first.Phases.Sum(p => p.Elapsed.Ticks), 1, first.Duration.Ticks);
        Assert.InRange(first.ServerWait, TimeSpan.FromTicks(1), first.Phases.Single(p => p.Name == "stream archives").Elapsed);

        // A few writes, then a second backup: only changed pages and the new WAL should be stored.
        await _cluster.ExecuteAsync("UPDATE accounts SET abalance = abalance + 1 WHERE aid % 1000 = 0; CHECKPOINT;", "app1");
        var second = await PhysicalTestBed.BackupAsync(repository, _cluster);
        Assert.True(second.StoredBytes < first.StoredBytes / 5,
            $"second backup stored {second.StoredBytes} bytes, the first {first.StoredBytes}; expected under a fifth");
        Assert.Equal(first.Snapshot.Id, second.Snapshot.Record.Metadata.ParentSnapshotId);

        // Restore the first backup, start it, compare.
        string target = bed.NewDirectory("pgark-restore-");
        var progress = new ProgressRecorder<PhysicalRestoreProgress>();
        var restored = await new PhysicalRestore(repository, new PhysicalRestoreOptions { TargetDirectory = target, Progress = progress })
            .RunAsync(first.Snapshot);
        // Progress: at most one report per MiB written plus the last, never going back, ending at the whole tree.
        IReadOnlyList<PhysicalRestoreProgress> reports = progress.Reports;
        Assert.InRange(reports.Count, 2, restored.Bytes / (1 << 20) + 1);
        Assert.All(reports.Zip(reports.Skip(1)), pair => Assert.True(pair.First.WrittenBytes <= pair.Second.WrittenBytes && pair.First.Files <= pair.Second.Files));
        Assert.Equal((restored.Bytes, restored.Bytes, restored.Files, restored.Files),
            (reports[^1].WrittenBytes, reports[^1].TotalBytes, reports[^1].Files, reports[^1].TotalFiles));
        Assert.All(reports, r => Assert.Equal((restored.Bytes, restored.Files), (r.TotalBytes, r.TotalFiles)));
        Assert.True(restored.ManifestFilesVerified > 500, $"only {restored.ManifestFilesVerified} files were verified against backup_manifest");
        Assert.True(restored.WalSegments >= 1);
        Assert.Equal("700", Os.Run("stat", "-c", "%a", target));
        Assert.Equal("600", Os.Run("stat", "-c", "%a", Path.Combine(target, "PG_VERSION")));

        await using (LocalCluster copy = LocalCluster.Adopt(target, new LocalClusterOptions { KeepDirectory = true, BinDirectory = _cluster.Installation.BinDirectory }))
        {
            await copy.StartAsync();
            Assert.Equal(before, await PhysicalTestBed.FingerprintAsync(copy, s_databases));
            Assert.Equal(0L, await copy.ScalarAsync<long>("SELECT count(*) FROM scratch", "app1")); // unlogged: reset by recovery
            string amcheck = Path.Combine(copy.Installation.BinDirectory, "pg_amcheck");
            if (File.Exists(amcheck))
            {
                await copy.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS amcheck", "app1");
                Os.Run(amcheck, "-h", copy.SocketDirectory, "-p", copy.Port.ToString(), "-U", copy.Superuser, "-d", "app1", "--heapallindexed");
            }
        }

        // The second backup restores too, with the update in it.
        string target2 = bed.NewDirectory("pgark-restore2-");
        await PhysicalTestBed.Restorer(repository, target2).RunAsync(second.Snapshot);
        await using (LocalCluster copy2 = LocalCluster.Adopt(target2, new LocalClusterOptions { KeepDirectory = true, BinDirectory = _cluster.Installation.BinDirectory }))
        {
            await copy2.StartAsync();
            Assert.Equal(100L, await copy2.ScalarAsync<long>("SELECT count(*) FROM accounts WHERE abalance = 1", "app1"));
        }

        var check = await repository.CheckAsync(readData: true);
        Assert.False(check.HasErrors, string.Join("\n", check.Errors));
        foreach (string database in s_databases)
            await _cluster.ExecuteAsync($"DROP DATABASE {database}");
    }

    [Fact]
    public async Task Restore_refuses_a_non_empty_target_without_force()
    {
        using var bed = new PhysicalTestBed();
        var repository = await bed.InitRepositoryAsync();
        var backup = await PhysicalTestBed.BackupAsync(repository, _cluster);
        string target = bed.NewDirectory("pgark-restore-");
        File.WriteAllText(Path.Combine(target, "precious"), "keep me");

        var error = await Assert.ThrowsAsync<PhysicalRestoreException>(() => PhysicalTestBed.Restorer(repository, target).RunAsync(backup.Snapshot));

        Assert.Equal($"the target directory {target} is not empty", error.Message);
        Assert.True(File.Exists(Path.Combine(target, "precious")));
        await PhysicalTestBed.Restorer(repository, target, force: true).RunAsync(backup.Snapshot);
        Assert.False(File.Exists(Path.Combine(target, "precious")));
        Assert.True(File.Exists(Path.Combine(target, "global", "pg_control")));
    }
}
