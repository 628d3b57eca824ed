using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using System.Text.Json;
using Pgark.IntegrationTests.Wal;

namespace Pgark.IntegrationTests.Physical;

/// <summary>A primary with wal_level=logical, so the standby's row-count skip is the standby's doing, not the level's.</summary>
public sealed class LogicalPrimaryFixture : ClusterFixture
{
    protected override LocalClusterOptions Options => new() { Settings = new Dictionary<string, string> { ["wal_level"] = "logical" } };
}

/// <summary>
/// A physical backup taken from a streaming standby: BASE_BACKUP runs on the standby, its WAL is streamed from the
/// standby on a temporary physical slot, row counts are skipped (a standby cannot hold the logical slot and marker
/// transaction they need), and the restored copy starts as a primary of its own with the primary's rows.
/// </summary>
public sealed class PhysicalStandbyTests(LogicalPrimaryFixture fixture) : IClassFixture<LogicalPrimaryFixture>
{
    private static readonly string[] s_databases = ["stby1"];
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(90);
    private readonly LocalCluster _primary = fixture.Cluster;

    [Fact]
    public Task A_backup_of_a_standby_restores_and_starts_with_the_primarys_rows() => BackUpAStandbyAsync(_primary);

    /// <summary>From 16 on a standby could create a logical slot, but only after the primary's next running-xacts record.</summary>
    [PgMajorFact(17)]
    public async Task A_backup_of_a_PostgreSQL_17_standby_skips_row_counts_without_waiting_and_restores()
    {
        await using LocalCluster primary = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Major = 17,
            Settings = new Dictionary<string, string> { ["wal_level"] = "logical" },
        });
        await BackUpAStandbyAsync(primary);
    }

    private static async Task BackUpAStandbyAsync(LocalCluster primary)
    {
        using var bed = new PhysicalTestBed();
        await PhysicalTestBed.LoadWorkloadAsync(primary, s_databases, rows: 50_000);

        // The standby is pgark's own backup of the primary, restored, with standby.signal, primary_conninfo and a slot
        // on the primary (created first, so the primary keeps the WAL from before the backup until the standby streams).
        await primary.ExecuteAsync("SELECT pg_create_physical_replication_slot('pgark_test_standby', true)");
        using var seedBed = new PhysicalTestBed();
        var seed = await PhysicalTestBed.BackupAsync(await seedBed.InitRepositoryAsync(), primary);
        string copy = bed.NewDirectory("pgark-standby-");
        await PhysicalTestBed.Restorer(await seedBed.OpenRepositoryAsync(), copy).RunAsync(seed.Snapshot);
        File.WriteAllBytes(Path.Combine(copy, "standby.signal"), []);
        await using LocalCluster standby = LocalCluster.Adopt(copy, new LocalClusterOptions
        {
            BinDirectory = primary.Installation.BinDirectory,
            Settings = new Dictionary<string, string>
            {
                ["primary_conninfo"] = primary.ConnInfo(),
                ["primary_slot_name"] = "pgark_test_standby",
                ["hot_standby"] = "on",
            },
        });
        await standby.StartAsync();
        Assert.True(await standby.ScalarAsync<bool>("SELECT pg_is_in_recovery()"));
        await WaitUntilAsync(() => primary.ScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_stat_replication WHERE state = 'streaming')"),
            "the standby never reached state 'streaming' in pg_stat_replication");

        // Writes after the standby was made reach it by streaming; then the primary is quiesced and the standby caught up.
        await primary.ExecuteAsync("UPDATE accounts SET abalance = abalance + 7 WHERE aid % 100 = 0; " +
            "CREATE TABLE after_standby AS SELECT g AS id FROM generate_series(1, 5000) g; CHECKPOINT;", "stby1");
        await WaitForReplayAsync(primary, standby);
        var primaryRows = await PhysicalTestBed.FingerprintAsync(primary, s_databases);
        long primaryAfter = await primary.ScalarAsync<long>("SELECT count(*) FROM after_standby", "stby1");

        // pgark backup --db <the standby>, then pgark restore, both through the CLI.
        await bed.InitRepositoryAsync();
        var backup = await CliHarness.RunAsync(["backup", "--repo", bed.RepositoryDirectory, "--db", standby.ConnInfo("stby1")]);
        Assert.True(backup.ExitCode == 0, $"backup of the standby failed ({backup.ExitCode}): {backup.Error}{backup.Out}");
        Assert.Contains("rows:      not recorded: the server is a standby (in recovery)", backup.Out, StringComparison.Ordinal);
        Assert.Equal(0L, await standby.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots")); // the temporary slot went away

        var repository = await bed.OpenRepositoryAsync();
        var snapshot = Assert.Single(await repository.ListSnapshotsAsync());
        ulong systemId = ulong.Parse(await primary.ScalarAsync<string>("SELECT system_identifier::text FROM pg_control_system()"));
        Assert.Equal(systemId, snapshot.Record.Metadata.SystemIdentifier);
        Assert.DoesNotContain(snapshot.Record.Documents, d => d.Name == "row_counts");

        string target = bed.NewDirectory("pgark-restore-");
        var restore = await CliHarness.RunAsync(["restore", "--repo", bed.RepositoryDirectory, "--target", target, "--json"]);
        Assert.True(restore.ExitCode == 0, $"restore failed ({restore.ExitCode}): {restore.Error}{restore.Out}");
        using var summary = JsonDocument.Parse(restore.Out);
        Assert.True(summary.RootElement.GetProperty("manifest_files_verified").GetInt32() > 500, restore.Out);
        Assert.True(summary.RootElement.GetProperty("wal_segments").GetInt32() >= 1, $"no WAL was streamed from the standby: {restore.Out}");
        Assert.Equal("[\"standby.signal\"]", summary.RootElement.GetProperty("signal_files_left_out").GetRawText());
        Assert.False(File.Exists(Path.Combine(target, "standby.signal")), "the restored copy would come up as a standby of the original primary");
        Assert.Contains("BACKUP FROM: standby", File.ReadAllText(Path.Combine(target, "backup_label")), StringComparison.Ordinal);

        await using LocalCluster restoredCopy = LocalCluster.Adopt(target,
            new LocalClusterOptions { KeepDirectory = true, BinDirectory = primary.Installation.BinDirectory });
        await restoredCopy.StartAsync();
        await WaitUntilAsync(async () => !await restoredCopy.ScalarAsync<bool>("SELECT pg_is_in_recovery()"),
            "the restored copy stayed in recovery");
        Assert.Equal(primaryRows, await PhysicalTestBed.FingerprintAsync(restoredCopy, s_databases));
        Assert.Equal(primaryAfter, await restoredCopy.ScalarAsync<long>("SELECT count(*) FROM after_standby", "stby1"));
        await restoredCopy.ExecuteAsync("INSERT INTO after_standby VALUES (-1)", "stby1"); // a primary of its own: writable
        Assert.Equal(primaryAfter, await primary.ScalarAsync<long>("SELECT count(*) FROM after_standby", "stby1"));

        var check = await repository.CheckAsync(readData: true);
        Assert.False(check.HasErrors, string.Join("\n", check.Errors));
        await standby.StopAsync();
        await primary.ExecuteAsync("SELECT pg_drop_replication_slot('pgark_test_standby')");
        await primary.ExecuteAsync("DROP DATABASE stby1");
    }

    /// <summary>Waits until the standby has replayed everything the primary has written so far.</summary>
    private static async Task WaitForReplayAsync(LocalCluster primary, LocalCluster standby)
    {
        string written = await primary.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text");
        await WaitUntilAsync(() => standby.ScalarAsync<bool>($"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn"),
            $"the standby did not replay up to {written}");
    }

    /// <summary>Polls a condition until it holds; fails with <paramref name="failure"/> after a generous deadline.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        using var deadline = new CancellationTokenSource(s_wait);
        while (!await condition())
        {
            Assert.False(deadline.IsCancellationRequested, failure);
            await Task.Delay(50, CancellationToken.None); // a poll interval, not a wait for time to pass
        }
    }
}
