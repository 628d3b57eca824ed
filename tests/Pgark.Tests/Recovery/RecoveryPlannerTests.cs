using Pgark.Recovery;
using Pgark.Wal;
using Pgark.Wire.Replication;
using static Pgark.Tests.Recovery.SyntheticArchive;

namespace Pgark.Tests.Recovery;

/// <summary>The planner's rules over synthetic archives: 1 MiB segments, marks scripted per segment.</summary>
public sealed class RecoveryPlannerTests
{
    private static readonly TimelineId T1 = new(1), T2 = new(2);
    private static readonly DateTimeOffset T0 = ScriptedWalMarks.T0;

    private static BackupCandidate Backup(string id, TimelineId timeline, ulong startSegment, ulong endSegment, double endSeconds = -600)
        => new(id + new string('0', 56), timeline, Lsn.FromSegment(startSegment, 0x28, SegmentSize), Lsn.FromSegment(endSegment, 0x100, SegmentSize),
            T0.AddSeconds(endSeconds), 42);

    /// <summary>Segments 2..last on timeline 1, one commit per segment at offset 0x1000, xid 100+n, n seconds after T0.</summary>
    private static (WalArchiveMap Map, ScriptedWalMarks Wal) Linear(ulong last)
    {
        var wal = new ScriptedWalMarks();
        for (ulong n = 3; n <= last; n++)
            wal.Commit(T1, n, 0x1000, (uint)(100 + n), n);
        return (Map(Run(T1, 2, last)), wal);
    }

    private static Task<RecoveryPlan> PlanAsync(WalArchiveMap map, ScriptedWalMarks wal, RecoveryTarget target, params BackupCandidate[] backups)
        => new RecoveryPlanner(map, backups, wal).PlanAsync(target, TimelineChoice.Latest);

    [Fact]
    public async Task A_time_stops_before_the_first_commit_after_it_and_reads_only_around_it()
    {
        (WalArchiveMap map, ScriptedWalMarks wal) = Linear(2000);
        RecoveryPlan plan = await PlanAsync(map, wal, RecoveryTarget.AtTime(T0.AddSeconds(1234.5)), Backup("aa", T1, 2, 2));

        Assert.Equal(Lsn.FromSegment(1235, 0x1000, SegmentSize), plan.Stop!.Lsn);
        Assert.False(plan.Stop.Inclusive);
        Assert.Equal(1334u, plan.Stop.LastIncluded!.Value.Xid);
        Assert.Equal(1335u, plan.Stop.FirstExcluded!.Value.Xid);
        Assert.Equal(1234, plan.Wal.Segments.Count);
        Assert.InRange(wal.Reads.Count, 2, 30);
    }

    [Fact]
    public async Task An_inclusive_time_keeps_a_commit_at_exactly_that_time_and_an_exclusive_one_drops_it()
    {
        (WalArchiveMap map, ScriptedWalMarks wal) = Linear(50);
        RecoveryPlan inclusive = await PlanAsync(map, wal, RecoveryTarget.AtTime(T0.AddSeconds(20)), Backup("aa", T1, 2, 2));
        RecoveryPlan exclusive = await PlanAsync(map, wal, RecoveryTarget.AtTime(T0.AddSeconds(20), inclusive: false), Backup("aa", T1, 2, 2));
        Assert.Equal(120u, inclusive.Stop!.LastIncluded!.Value.Xid);
        Assert.Equal(119u, exclusive.Stop!.LastIncluded!.Value.Xid);
        Assert.Equal(120u, exclusive.Stop.FirstExcluded!.Value.Xid);
    }

    [Fact]
    public async Task The_newest_backup_consistent_before_the_stop_is_chosen()
    {
        (WalArchiveMap map, ScriptedWalMarks wal) = Linear(50);
        RecoveryPlan plan = await PlanAsync(map, wal, RecoveryTarget.AtTime(T0.AddSeconds(30.5)),
            Backup("aa", T1, 2, 2), Backup("bb", T1, 20, 21), Backup("cc", T1, 40, 41));
        Assert.StartsWith("bb", plan.Backup.Id);
        Assert.Equal(Lsn.FromSegment(20, 0x28, SegmentSize), plan.Wal.From);
    }

    [Fact]
    public async Task A_target_before_the_first_backup_is_refused()
    {
        (WalArchiveMap map, ScriptedWalMarks wal) = Linear(50);
        var e = await Assert.ThrowsAsync<RecoveryPlanException>(() => PlanAsync(map, wal, RecoveryTarget.AtTime(T0.AddSeconds(10.5)), Backup("bb", T1, 20, 21)));
        Assert.Equal(RecoveryRefusal.BeforeFirstBackup, e.Refusal);
        Assert.Contains("before the end of the oldest usable backup bb000000", e.Message);
    }

    [Fact]
    public async Task A_missing_segment_between_backup_and_target_is_named()
    {
        var wal = new ScriptedWalMarks();
        for (ulong n = 3; n <= 30; n++)
            wal.Commit(T1, n, 0x1000, (uint)(100 + n), n);
        WalArchiveMap map = Map(Run(T1, 2, 30).Where(s => s.SegmentNumber != 12));
        var e = await Assert.ThrowsAsync<RecoveryPlanException>(() => PlanAsync(map, wal, RecoveryTarget.AtTime(T0.AddSeconds(20.5)), Backup("aa", T1, 2, 2)));
        Assert.Equal(RecoveryRefusal.WalGap, e.Refusal);
        Assert.Contains("00000001000000000000000C is not archived", e.Message);
    }

    [Fact]
    public async Task A_time_after_the_newest_commit_is_beyond_the_archive()
    {
        (WalArchiveMap map, ScriptedWalMarks wal) = Linear(50);
        var e = await Assert.ThrowsAsync<RecoveryPlanException>(() => PlanAsync(map, wal, RecoveryTarget.AtTime(T0.AddSeconds(99)), Backup("aa", T1, 2, 2)));
        Assert.Equal(RecoveryRefusal.BeyondArchive, e.Refusal);
        Assert.Contains("xid 150", e.Message);
    }

    [Fact]
    public async Task An_xid_stops_at_its_commit_inclusive_or_exclusive()
    {
        (WalArchiveMap map, ScriptedWalMarks wal) = Linear(50);
        RecoveryPlan inclusive = await PlanAsync(map, wal, RecoveryTarget.AtXid(130), Backup("aa", T1, 2, 2), Backup("bb", T1, 40, 41));
        Assert.Equal((Lsn.FromSegment(30, 0x1000, SegmentSize), true), (inclusive.Stop!.Lsn, inclusive.Stop.Inclusive));
        Assert.StartsWith("aa", inclusive.Backup.Id);
        RecoveryPlan exclusive = await PlanAsync(map, wal, RecoveryTarget.AtXid(130, inclusive: false), Backup("aa", T1, 2, 2));
        Assert.Equal(130u, exclusive.Stop!.FirstExcluded!.Value.Xid);
        var e = await Assert.ThrowsAsync<RecoveryPlanException>(() => PlanAsync(map, wal, RecoveryTarget.AtXid(999), Backup("aa", T1, 2, 2)));
        Assert.Equal(RecoveryRefusal.TargetNotFound, e.Refusal);
    }

    [Fact]
    public async Task A_restore_point_inside_the_newest_backup_falls_back_to_an_older_one()
    {
        (WalArchiveMap map, ScriptedWalMarks wal) = Linear(50);
        wal.RestorePoint(T1, 40, 0x2000, "before-upgrade");
        RecoveryPlan plan = await PlanAsync(map, wal, RecoveryTarget.AtName("before-upgrade"), Backup("aa", T1, 2, 2), Backup("bb", T1, 39, 41));
        Assert.StartsWith("aa", plan.Backup.Id);
        Assert.True(plan.Stop!.Inclusive);
        Assert.Equal(Lsn.FromSegment(40, 0x2000, SegmentSize), plan.Stop.Lsn);
    }

    [Fact]
    public async Task Latest_replays_through_a_trailing_partial_and_names_the_last_commit()
    {
        var wal = new ScriptedWalMarks().Commit(T1, 5, 0x100, 777, 5);
        WalArchiveMap map = Map(Run(T1, 2, 4).Append(Partial(T1, 5, 0x4000)));
        RecoveryPlan plan = await PlanAsync(map, wal, RecoveryTarget.Latest, Backup("aa", T1, 2, 2));
        Assert.Equal(Lsn.FromSegment(5, 0x4000, SegmentSize), plan.ReplayEnd);
        Assert.Equal(777u, plan.Stop!.LastIncluded!.Value.Xid);
    }

    [Fact]
    public async Task A_fork_follows_the_child_timeline_after_its_switch_point()
    {
        var wal = new ScriptedWalMarks();
        for (ulong n = 3; n <= 20; n++)
            wal.Commit(T1, n, 0x1000, (uint)(100 + n), n);
        for (ulong n = 10; n <= 20; n++)
            wal.Commit(T2, n, 0x2000, (uint)(500 + n), n + 0.25);
        var histories = new Dictionary<TimelineId, IReadOnlyList<TimelineHistoryEntry>>
        {
            [T2] = [new TimelineHistoryEntry(T1, Lsn.FromSegment(10, 0x1800, SegmentSize), "after promotion")],
        };
        WalArchiveMap map = Map(Run(T1, 2, 20).Concat(Run(T2, 10, 20)), histories);
        var backup = Backup("aa", T1, 2, 2);

        RecoveryPlan onTwo = await new RecoveryPlanner(map, [backup], wal).PlanAsync(RecoveryTarget.AtTime(T0.AddSeconds(15.5)), TimelineChoice.Latest);
        Assert.Equal(T2, onTwo.TargetTimeline);
        Assert.Equal(515u, onTwo.Stop!.LastIncluded!.Value.Xid);
        Assert.Equal([T1, T2], onTwo.Wal.Segments.Select(s => s.Timeline).Distinct());

        RecoveryPlan onOne = await new RecoveryPlanner(map, [backup], wal).PlanAsync(RecoveryTarget.AtTime(T0.AddSeconds(15.5)), TimelineChoice.Of(T1));
        Assert.Equal(115u, onOne.Stop!.LastIncluded!.Value.Xid);
        Assert.All(onOne.Wal.Segments, s => Assert.Equal(T1, s.Timeline));
    }

    [Fact]
    public async Task A_backup_that_ended_after_the_fork_does_not_descend_to_the_child()
    {
        var histories = new Dictionary<TimelineId, IReadOnlyList<TimelineHistoryEntry>>
        {
            [T2] = [new TimelineHistoryEntry(T1, Lsn.FromSegment(10, 0x1800, SegmentSize), "")],
        };
        WalArchiveMap map = Map(Run(T1, 2, 20).Concat(Run(T2, 10, 20)), histories);
        var e = await Assert.ThrowsAsync<RecoveryPlanException>(() =>
            new RecoveryPlanner(map, [Backup("aa", T1, 12, 13)], new ScriptedWalMarks()).PlanAsync(RecoveryTarget.Latest, TimelineChoice.Of(T2)));
        Assert.Equal(RecoveryRefusal.TimelineNotDescendant, e.Refusal);
        Assert.Contains("timeline 2 forked from timeline 1 at 0/A01800, before the backup ended at 0/D00100", e.Message);
    }

    [Fact]
    public async Task A_timeline_without_its_history_file_is_refused()
    {
        WalArchiveMap map = Map(Run(T1, 2, 20).Concat(Run(T2, 10, 20)));
        var e = await Assert.ThrowsAsync<RecoveryPlanException>(() =>
            new RecoveryPlanner(map, [Backup("aa", T1, 2, 2)], new ScriptedWalMarks()).PlanAsync(RecoveryTarget.Latest, TimelineChoice.Latest));
        Assert.Equal(RecoveryRefusal.MissingHistory, e.Refusal);
        Assert.Contains("00000002.history", e.Message);
    }
}
