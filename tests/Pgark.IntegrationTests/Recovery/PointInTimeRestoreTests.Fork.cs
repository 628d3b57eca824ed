using System.Text.Json;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Recovery;

namespace Pgark.IntegrationTests.Recovery;

public sealed partial class PointInTimeRestoreTests
{
    /// <summary>
    /// A fork: the scenario restored to before the delete and promoted makes timeline 2, archived into the same repository
    /// by archive_command = pgark wal push (history file, the old timeline's partial, the new segments). Then a time on
    /// timeline 2 recovers along 1 → 2, and a time on timeline 1 after the fork (after the delete) along timeline 1 alone.
    /// </summary>
    [Fact]
    public async Task A_fork_recovers_along_either_timeline()
    {
        string copy = scenario.CopyRepository();
        try
        {
            // The server account archives into the copy.
            Os.Run("chmod", "-R", "a+rwX", copy);
            string pushCommand = RestoreCommandLine.Quote(Path.Combine(AppContext.BaseDirectory, "Pgark.Cli")) + " wal push --repo "
                + RestoreCommandLine.Quote(copy) + " %p";
            var archiving = new LocalClusterOptions { Settings = new Dictionary<string, string> { ["archive_mode"] = "on", ["archive_command"] = pushCommand } };
            DateTimeOffset onTimeline2;
            await using (LocalCluster forked = await RecoveryCli.RestoreAndRecoverAsync(scenario.Cluster, copy, archiving,
                "--target-time", Time(scenario.BeforeDelete)))
            {
                Assert.Equal("00000002", await forked.ScalarAsync<string>("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"));
                await forked.ExecuteAsync("INSERT INTO orders SELECT g, 'fork ' || g FROM generate_series(2001, 2003) g");
                onTimeline2 = await forked.ScalarAsync<DateTime>("SELECT clock_timestamp()");
                await forked.ExecuteAsync("INSERT INTO orders VALUES (2004, 'fork after the target')");
                await ArchiveCurrentSegmentAsync(forked);
            }

            var planned = await RecoveryCli.RunAsync("plan", "--repo", copy, "--target-time", Time(onTimeline2), "--json");
            Assert.True(planned.ExitCode == 0, planned.Error + planned.Out);
            using (JsonDocument plan = JsonDocument.Parse(planned.Out))
            {
                Assert.Equal(2, plan.RootElement.GetProperty("target_timeline").GetInt32());
                Assert.Equal([1, 2], plan.RootElement.GetProperty("timeline_path").EnumerateArray().Select(s => s.GetProperty("timeline").GetInt32()));
            }
            await using (LocalCluster onTwo = await RecoveryCli.RestoreAndRecoverAsync(scenario.Cluster, copy, null, "--target-time", Time(onTimeline2)))
            {
                Assert.Equal(203, await RecoveryCli.CountAsync(onTwo));
                Assert.Equal(3, await RecoveryCli.CountAsync(onTwo, "id BETWEEN 2001 AND 2003"));
            }

            // Timeline 1 after the fork point: the delete happened there, the late orders not yet.
            await using (LocalCluster onOne = await RecoveryCli.RestoreAndRecoverAsync(scenario.Cluster, copy, null,
                "--timeline", "1", "--target-time", Time(scenario.AfterDelete)))
            {
                Assert.Equal(0, await RecoveryCli.CountAsync(onOne));
            }
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>Completes the current segment and waits until the archiver reports it archived.</summary>
    private static async Task ArchiveCurrentSegmentAsync(LocalCluster cluster)
    {
        string segment = await cluster.ScalarAsync<string>("SELECT pg_walfile_name(pg_current_wal_lsn())");
        await cluster.ExecuteAsync("SELECT pg_switch_wal()");
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await cluster.ScalarAsync<string>("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") is var archived
            && string.CompareOrdinal(archived, segment) < 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{segment} was not archived in 60 s: last archived {archived}\n" + cluster.ReadLogTail(20));
            await Task.Delay(25); // poll interval of the archiver's own report
        }
    }
}
