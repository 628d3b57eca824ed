using System.Globalization;
using System.Text.Json;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Recovery;

/// <summary>
/// The seed scenario restored to the moment before <c>DELETE FROM orders</c>, by time, LSN, xid and restore point: every
/// order is back and nothing written after the target is. Then the refusals and replay through a partial segment.
/// </summary>
public sealed partial class PointInTimeRestoreTests(PitrScenario scenario) : IClassFixture<PitrScenario>
{
    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";

    private async Task AssertBeforeTheDeleteAsync(params string[] target)
    {
        await using LocalCluster restored = await RecoveryCli.RestoreAndRecoverAsync(scenario.Cluster, scenario.RepositoryDirectory, null, target);
        Assert.Equal(200, await RecoveryCli.CountAsync(restored));
        Assert.Equal(200, await RecoveryCli.CountAsync(restored, "id BETWEEN 1 AND 200 AND item = 'order ' || id"));
        Assert.Equal(0, await RecoveryCli.CountAsync(restored, "id > 1000"));
    }

    [Fact]
    public async Task Restore_to_the_noted_time_brings_every_order_back_and_nothing_after()
    {
        var planned = await RecoveryCli.RunAsync("plan", "--repo", scenario.RepositoryDirectory, "--target-time", Time(scenario.BeforeDelete), "--json");
        Assert.True(planned.ExitCode == 0, planned.Error);
        using JsonDocument plan = JsonDocument.Parse(planned.Out);
        JsonElement stop = plan.RootElement.GetProperty("stop");
        Assert.Equal(scenario.LastInsertXid, stop.GetProperty("last_included").GetProperty("xid").GetUInt32());
        Assert.Equal(scenario.DeleteXid, stop.GetProperty("first_excluded").GetProperty("xid").GetUInt32());
        Assert.False(stop.GetProperty("inclusive").GetBoolean());
        Assert.Equal(stop.GetProperty("lsn").GetString(), plan.RootElement.GetProperty("settings").GetProperty("recovery_target_lsn").GetString());

        await AssertBeforeTheDeleteAsync("--target-time", Time(scenario.BeforeDelete));
    }

    [Fact]
    public async Task Restore_to_the_noted_lsn()
        => await AssertBeforeTheDeleteAsync("--target-lsn", scenario.LsnBeforeDelete.ToString(), "--exclusive");

    [Fact]
    public async Task Restore_to_the_last_insert_xid()
        => await AssertBeforeTheDeleteAsync("--target-xid", scenario.LastInsertXid.ToString(CultureInfo.InvariantCulture));

    [Fact]
    public async Task Restore_to_just_before_the_delete_xid()
        => await AssertBeforeTheDeleteAsync("--target-xid", scenario.DeleteXid.ToString(CultureInfo.InvariantCulture), "--exclusive");

    [Fact]
    public async Task Restore_to_the_restore_point()
        => await AssertBeforeTheDeleteAsync("--target-name", PitrScenario.RestorePoint);

    [Fact]
    public async Task Latest_replays_through_the_trailing_partial_segment_to_the_last_received_commit()
    {
        var planned = await RecoveryCli.RunAsync("plan", "--repo", scenario.RepositoryDirectory, "--latest", "--json");
        Assert.True(planned.ExitCode == 0, planned.Error);
        using JsonDocument plan = JsonDocument.Parse(planned.Out);
        Assert.Equal(1, plan.RootElement.GetProperty("wal").GetProperty("partial_segments").GetInt32());
        Assert.True(Lsn.Parse(plan.RootElement.GetProperty("replay_end").GetString()!) >= scenario.ArchivedThrough);

        await using LocalCluster restored = await RecoveryCli.RestoreAndRecoverAsync(scenario.Cluster, scenario.RepositoryDirectory, null, "--latest");
        Assert.Equal(10, await RecoveryCli.CountAsync(restored));
        Assert.Equal(5, await RecoveryCli.CountAsync(restored, "id BETWEEN 1006 AND 1010"));
    }

    [Fact]
    public async Task A_missing_segment_makes_the_plan_refuse_naming_it()
    {
        string copy = scenario.CopyRepository();
        try
        {
            // The segment holding the noted LSN: between the backup and the target.
            string segment = scenario.LsnBeforeDelete.WalFileName(new TimelineId(1), 16 << 20);
            string victim = Assert.Single(Directory.GetFiles(Path.Combine(copy, "wal"), segment + ".full.*", SearchOption.AllDirectories));
            File.Delete(victim);

            var refused = await RecoveryCli.RunAsync("plan", "--repo", copy, "--target-time", Time(scenario.BeforeDelete));
            Assert.Equal(10, refused.ExitCode);
            Assert.StartsWith($"pgark: WAL segment {segment} is not archived", refused.Error);
            Assert.Contains("hint: ", refused.Error);

            var json = await RecoveryCli.RunAsync("plan", "--repo", copy, "--target-xid", scenario.LastInsertXid.ToString(CultureInfo.InvariantCulture), "--json");
            Assert.Equal(10, json.ExitCode);
            using JsonDocument document = JsonDocument.Parse(json.Out);
            Assert.Equal("wal_gap", document.RootElement.GetProperty("refused").GetProperty("reason").GetString());
            Assert.Contains(segment, document.RootElement.GetProperty("refused").GetProperty("message").GetString());

            // Nothing is written when the plan refuses.
            string data = RecoveryCli.NewDataDirectory();
            var restore = await RecoveryCli.RunAsync("restore", "--repo", copy, "--target", data, "--target-time", Time(scenario.BeforeDelete));
            Assert.Equal(10, restore.ExitCode);
            Assert.False(Directory.Exists(data));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task Targets_outside_the_archive_are_refused_precisely()
    {
        var before = await RecoveryCli.RunAsync("plan", "--repo", scenario.RepositoryDirectory, "--target-lsn", "0/1000000");
        Assert.Equal(10, before.ExitCode);
        Assert.Contains("before the end of the oldest usable backup", before.Error);

        var future = await RecoveryCli.RunAsync("plan", "--repo", scenario.RepositoryDirectory, "--target-time", Time(DateTimeOffset.UtcNow.AddDays(1)));
        Assert.Equal(10, future.ExitCode);
        Assert.Contains("beyond the archived WAL", future.Error);

        var name = await RecoveryCli.RunAsync("plan", "--repo", scenario.RepositoryDirectory, "--target-name", "never-made");
        Assert.Equal(10, name.ExitCode);
        Assert.Contains("restore point 'never-made' is not in the archived WAL", name.Error);
    }
}
