using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Retention;
using Pgark.Wal;

namespace Pgark.Tests.Retention;

/// <summary>forget over an in-memory repository: policy per cluster and kind, WAL cut exactly at the oldest kept start, locks.</summary>
public sealed class ForgetTests
{
    private static readonly DateTimeOffset s_now = SyntheticRepository.Day0.AddDays(10);

    /// <summary>Five daily physical backups starting in segments 2, 4, 6, 8, 10; WAL segments 1..12 archived.</summary>
    private static async Task<(SyntheticRepository Repo, List<SnapshotInfo> Backups)> FiveDaysAsync()
    {
        var repo = await SyntheticRepository.CreateAsync();
        await repo.ArchiveAsync(1, 1, 12);
        var backups = new List<SnapshotInfo>();
        for (var day = 0; day < 5; day++)
            backups.Add(await repo.PhysicalAsync(SyntheticRepository.Day0.AddDays(day), 2 + 2 * (ulong)day));
        return (repo, backups);
    }

    private static async Task<ulong[]> ArchivedSegmentsAsync(SyntheticRepository repo)
        => (await repo.Wal.ListAsync()).Where(o => o.IsSegment).Select(o => o.SegmentNumber).ToArray();

    private static async Task<string[]> SnapshotIdsAsync(SyntheticRepository repo)
        => (await repo.Repository.ListSnapshotsAsync()).Select(s => s.ShortId).ToArray();

    [Fact]
    public async Task Keep_last_two_removes_the_older_backups_and_exactly_the_WAL_before_the_oldest_kept_start()
    {
        var (repo, backups) = await FiveDaysAsync();

        var plan = await new Forget(repo.Repository).RunAsync(new RetentionPolicy { Last = 2 }, dryRun: false, s_now);

        Assert.Equal(backups.Skip(3).Select(b => b.ShortId), await SnapshotIdsAsync(repo));
        Assert.Equal(SyntheticRepository.At(8), plan.WalCutoff);
        Assert.Equal([8UL, 9, 10, 11, 12], await ArchivedSegmentsAsync(repo));
        Assert.Equal(3, plan.Removed.Count());
        Assert.Equal(7, plan.WalToRemove.Count);
    }

    [Fact]
    public async Task Dry_run_reports_the_same_plan_and_changes_nothing()
    {
        var (repo, backups) = await FiveDaysAsync();
        var before = await repo.NamesAsync();

        var plan = await new Forget(repo.Repository).RunAsync(new RetentionPolicy { Last = 2 }, dryRun: true, s_now);

        Assert.True(plan.DryRun);
        Assert.Equal(backups.Take(3).Select(b => b.Id), plan.Removed.Select(b => b.Snapshot.Id).Reverse());
        Assert.Equal(7, plan.WalToRemove.Count);
        Assert.Equal(before, await repo.NamesAsync());
    }

    [Fact]
    public async Task A_pinned_old_backup_is_kept_and_keeps_its_WAL()
    {
        var (repo, backups) = await FiveDaysAsync();
        await repo.Repository.PinAsync(backups[1].Id);

        var plan = await new Forget(repo.Repository).RunAsync(new RetentionPolicy { Last = 1 }, dryRun: false, s_now);

        Assert.Equal([backups[1].ShortId, backups[4].ShortId], await SnapshotIdsAsync(repo));
        Assert.Equal(["pinned"], plan.Kept.Single(b => b.Snapshot.Id == backups[1].Id).Reasons);
        Assert.Equal([4UL, 5, 6, 7, 8, 9, 10, 11, 12], await ArchivedSegmentsAsync(repo));
    }

    [Fact]
    public async Task Keep_wal_within_keeps_the_base_backup_and_the_WAL_for_recovery_into_the_window()
    {
        var (repo, backups) = await FiveDaysAsync();
        // now = day 4 + 12 h; 2 days back is day 2 + 12 h: the newest backup started before it is day 2's (segment 6).
        var now = SyntheticRepository.Day0.AddDays(4).AddHours(12);

        var plan = await new Forget(repo.Repository).RunAsync(
            new RetentionPolicy { Last = 1, WalWithin = RetentionDuration.Parse("2d") }, dryRun: false, now);

        Assert.Equal([backups[2].ShortId, backups[4].ShortId], await SnapshotIdsAsync(repo));
        Assert.Equal(["base backup for WAL within 2d"], plan.Kept.Single(b => b.Snapshot.Id == backups[2].Id).Reasons);
        Assert.Equal([6UL, 7, 8, 9, 10, 11, 12], await ArchivedSegmentsAsync(repo));
    }

    [Fact]
    public async Task Clusters_and_kinds_are_separate_groups_and_logical_backups_do_not_hold_WAL()
    {
        var (repo, backups) = await FiveDaysAsync();
        var logical = new List<SnapshotInfo>();
        for (var day = 0; day < 3; day++)
            logical.Add(await repo.LogicalAsync(SyntheticRepository.Day0.AddDays(day).AddHours(1)));
        var other = await repo.PhysicalAsync(SyntheticRepository.Day0, 1, systemId: 42);

        var plan = await new Forget(repo.Repository).RunAsync(new RetentionPolicy { Last = 1 }, dryRun: false, s_now);

        Assert.Equal(["42/physical", $"{SyntheticRepository.SystemId}/logical", $"{SyntheticRepository.SystemId}/physical"],
            plan.Backups.Select(b => b.Group).Distinct());
        var kept = (await repo.Repository.ListSnapshotsAsync()).Select(s => s.Id).ToHashSet();
        Assert.Equal(new[] { other.Id, logical[2].Id, backups[4].Id }.Order(), kept.Order());
        // The other cluster's backup does not hold the archive's WAL: the cut is at the archive cluster's kept backup.
        Assert.Equal([10UL, 11, 12], await ArchivedSegmentsAsync(repo));
    }

    [Fact]
    public async Task Each_clusters_WAL_is_cut_at_its_own_oldest_kept_backup_and_a_cluster_without_one_keeps_all_its_WAL()
    {
        var (repo, _) = await FiveDaysAsync();
        // Cluster 42: WAL segments 1..9 (the same names as the first cluster's), backups starting in segments 3 and 6.
        var other = new WalStore(repo.Repository, 42);
        for (ulong n = 1; n <= 9; n++)
            await other.PutSegmentAsync(new Pgark.Wire.Replication.TimelineId(1), n, SyntheticRepository.SegmentSize,
                SyntheticRepository.Segment(new Pgark.Wire.Replication.TimelineId(1), n, systemId: 42), partial: false);
        await repo.PhysicalAsync(SyntheticRepository.Day0, 3, systemId: 42);
        await repo.PhysicalAsync(SyntheticRepository.Day0.AddDays(1), 6, systemId: 42);
        // Cluster 43: WAL only, no backup of its own.
        var lone = new WalStore(repo.Repository, 43);
        await lone.PutSegmentAsync(new Pgark.Wire.Replication.TimelineId(1), 1, SyntheticRepository.SegmentSize,
            SyntheticRepository.Segment(new Pgark.Wire.Replication.TimelineId(1), 1, systemId: 43), partial: false);

        var plan = await new Forget(repo.Repository).RunAsync(new RetentionPolicy { Last = 1 }, dryRun: false, s_now);

        Assert.Equal([42UL, 43, SyntheticRepository.SystemId], plan.Wal.Select(w => w.SystemIdentifier));
        Assert.Equal([SyntheticRepository.At(6), null, SyntheticRepository.At(10)], plan.Wal.Select(w => w.Cutoff));
        Assert.Equal("no physical backup of the archive's cluster is kept, so its WAL is left alone", plan.Wal[1].Note);
        Assert.Null(plan.WalCutoff);
        Assert.Equal([6UL, 7, 8, 9], (await other.ListAsync()).Select(o => o.SegmentNumber));
        Assert.Equal([1UL], (await lone.ListAsync()).Select(o => o.SegmentNumber));
        Assert.Equal([10UL, 11, 12], await ArchivedSegmentsAsync(repo));
        Assert.Equal(9 + 5, plan.WalToRemove.Count);
    }

    [Fact]
    public async Task Forget_refuses_while_a_backup_is_being_written_and_touches_nothing()
    {
        var (repo, _) = await FiveDaysAsync();
        var before = await repo.NamesAsync();
        await using (var inProgress = await repo.Repository.BeginBackupAsync("physical backup"))
        {
            var error = await Assert.ThrowsAsync<RepositoryLockConflictException>(
                () => new Forget(repo.Repository).RunAsync(new RetentionPolicy { Last = 1 }, dryRun: false, s_now));
            Assert.Contains("shared lock for physical backup held by pid", error.Message);
            Assert.Contains("run forget after it finishes", error.Message);
            Assert.Equal(before, await repo.NamesAsync());
        }
        // Once the backup is done, forget runs.
        await new Forget(repo.Repository).RunAsync(new RetentionPolicy { Last = 1 }, dryRun: false, s_now);
        Assert.Single(await repo.Repository.ListSnapshotsAsync());
    }

    [Fact]
    public async Task A_running_WAL_streamer_does_not_block_forget()
    {
        var (repo, _) = await FiveDaysAsync();
        await using var streamer = await WalStreamerLock.AcquireAsync(repo.Repository, SyntheticRepository.SystemId);

        await new Forget(repo.Repository).RunAsync(new RetentionPolicy { Last = 2 }, dryRun: false, s_now);

        Assert.Equal(2, (await repo.Repository.ListSnapshotsAsync()).Count);
    }

    [Fact]
    public async Task No_kept_physical_backup_leaves_the_WAL_alone()
    {
        var repo = await SyntheticRepository.CreateAsync();
        await repo.ArchiveAsync(1, 1, 4);
        await repo.LogicalAsync(SyntheticRepository.Day0);

        var plan = await new Forget(repo.Repository).RunAsync(new RetentionPolicy { Last = 1 }, dryRun: false, s_now);

        Assert.Equal("no physical backup of the archive's cluster is kept, so its WAL is left alone", plan.WalNote);
        Assert.Equal([1UL, 2, 3, 4], await ArchivedSegmentsAsync(repo));
    }

    [Fact]
    public async Task An_empty_policy_is_refused()
    {
        var (repo, _) = await FiveDaysAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => new Forget(repo.Repository).RunAsync(new RetentionPolicy(), dryRun: false, s_now));
        Assert.Equal(5, (await repo.Repository.ListSnapshotsAsync()).Count);
    }
}
