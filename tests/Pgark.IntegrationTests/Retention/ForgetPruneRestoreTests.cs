using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.IntegrationTests.Physical;
using Pgark.Retention;
using Pgark.Verification;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Retention;

/// <summary>
/// Real server: three physical backups with the WAL between them archived, forget --keep-last 2, prune; exactly the WAL the
/// oldest kept backup needs remains, verify is clean, and that backup restored with the remaining archive WAL in pg_wal
/// replays to the last archived write.
/// </summary>
public sealed class ForgetPruneRestoreTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    /// <summary>Switches WAL and archives every completed segment of the current timeline (never recycled files ahead of it).</summary>
    private async Task ArchiveCompletedAsync(WalStore store)
    {
        await _cluster.ExecuteAsync("SELECT pg_switch_wal()");
        string current = await _cluster.ScalarAsync<string>("SELECT pg_walfile_name(pg_current_wal_insert_lsn())");
        foreach (string path in Directory.GetFiles(Path.Combine(_cluster.DataDirectory, "pg_wal")).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            if (name.Length == 24 && name[..8] == current[..8] && string.CompareOrdinal(name, current) < 0)
                await WalPush.PushAsync(store.Repository, path);
        }
    }

    [Fact]
    public async Task Forget_and_prune_keep_exactly_the_WAL_the_oldest_kept_backup_needs_and_it_still_restores_and_replays()
    {
        using var bed = new PhysicalTestBed();
        await _cluster.ExecuteAsync("DROP DATABASE IF EXISTS retention");
        await _cluster.ExecuteAsync("CREATE DATABASE retention");
        await _cluster.ExecuteAsync("CREATE TABLE marks (step int, note text)", "retention");
        var repository = await bed.InitRepositoryAsync();
        var wal = new WalStore(repository, await Wal.WalStreamHarness.SystemIdentifierAsync(_cluster));

        // Three backups, with writes and archived WAL between them.
        var backups = new List<Repository.Snapshots.SnapshotInfo>();
        for (int step = 1; step <= 3; step++)
        {
            await _cluster.ExecuteAsync($"INSERT INTO marks SELECT {step}, repeat('x', 200) FROM generate_series(1, 5000)", "retention");
            await ArchiveCompletedAsync(wal);
            backups.Add((await PhysicalTestBed.BackupAsync(repository, _cluster)).Snapshot);
            await ArchiveCompletedAsync(wal);
        }
        await _cluster.ExecuteAsync("INSERT INTO marks VALUES (4, 'after the last backup')", "retention");
        await ArchiveCompletedAsync(wal);
        int segmentSize = await wal.ReadSegmentSizeAsync((await wal.ListAsync()).First(o => o.IsSegment));
        ulong firstArchived = (await wal.ListAsync()).Where(o => o.IsSegment).Min(o => o.SegmentNumber);
        ulong lastArchived = (await wal.ListAsync()).Where(o => o.IsSegment).Max(o => o.SegmentNumber);
        var oldestKept = backups[1].Record.Metadata;
        ulong cut = new Lsn(oldestKept.StartLsn).SegmentNumber(segmentSize);
        Assert.True(firstArchived < cut, $"the archive should start before the second backup (first {firstArchived}, cut {cut})");

        // Forget the oldest backup, then prune its data.
        var plan = await new Forget(repository).RunAsync(new RetentionPolicy { Last = 2 }, dryRun: false);
        Assert.Equal([backups[0].Id], plan.Removed.Select(b => b.Snapshot.Id));
        Assert.Equal(new Lsn(oldestKept.StartLsn), plan.WalCutoff);
        await repository.PruneAsync();

        // Exactly the segments from the one holding the oldest kept start onward remain, with no gap.
        var left = (await wal.ListAsync()).Where(o => o.IsSegment).Select(o => o.SegmentNumber).Order().ToList();
        Assert.Equal(Enumerable.Range(0, (int)(lastArchived - cut + 1)).Select(i => cut + (ulong)i), left);
        var verify = await new RepositoryVerifier(repository).RunAsync(new VerifyOptions { ReadData = true });
        Assert.True(verify.Healthy, string.Join("\n", verify.Repository.Errors.Select(e => e.ToString())
            .Concat(verify.Backups.SelectMany(b => b.Problems)).Concat(verify.Archive.Select(a => a.Reason))));
        var window = Assert.Single(verify.Windows);
        Assert.Equal((new Lsn(oldestKept.EndLsn), Lsn.FromSegment(lastArchived + 1, 0, segmentSize)), (window.From, window.To));
        Assert.NotNull(window.ToTime);

        // The oldest kept backup restores, and with the remaining archive in pg_wal replays to the last archived write.
        string target = bed.NewDirectory("pgark-forget-restore-");
        await PhysicalTestBed.Restorer(repository, target).RunAsync(backups[1]);
        foreach (var segment in (await wal.ListAsync()).Where(o => o.IsSegment))
            await File.WriteAllBytesAsync(Path.Combine(target, "pg_wal", segment.WalFileName), await wal.ReadAsync(segment));
        await using (LocalCluster copy = LocalCluster.Adopt(target, new LocalClusterOptions { KeepDirectory = true, BinDirectory = _cluster.Installation.BinDirectory }))
        {
            await copy.StartAsync();
            Assert.Equal(15_001L, await copy.ScalarAsync<long>("SELECT count(*) FROM marks", "retention"));
            Assert.Equal("after the last backup", await copy.ScalarAsync<string>("SELECT note FROM marks WHERE step = 4", "retention"));
        }
        await _cluster.ExecuteAsync("DROP DATABASE retention");
    }

    [Fact]
    public async Task Forget_never_touches_the_repository_while_a_physical_backup_is_being_written()
    {
        using var bed = new PhysicalTestBed();
        var repository = await bed.InitRepositoryAsync();
        await PhysicalTestBed.BackupAsync(repository, _cluster);

        // A backup in progress holds its shared lock from before BASE_BACKUP until its snapshot is committed.
        await using (var inProgress = await repository.BeginBackupAsync("physical backup"))
        {
            var refused = await Assert.ThrowsAsync<Repository.RepositoryLockConflictException>(
                () => new Forget(repository).RunAsync(new RetentionPolicy { Last = 1 }, dryRun: false));
            Assert.Contains("lock for physical backup", refused.Message);
        }
        Assert.Single(await repository.ListSnapshotsAsync());
    }
}
