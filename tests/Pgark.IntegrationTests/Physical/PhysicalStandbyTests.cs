using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Physical;
using Pgark.Wire.Connection;

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
    public async Task A_backup_of_a_standby_restores_and_starts_with_the_primarys_rows()
    {
        using var bed = new PhysicalTestBed();
        await PhysicalTestBed.LoadWorkloadAsync(_primary, s_databases, rows: 50_000);

        // Test setup only: a streaming standby made by pg_basebackup (-R writes standby.signal and primary_conninfo).
        string pgBasebackup = Path.Combine(_primary.Installation.BinDirectory, "pg_basebackup");
        string copy = bed.NewDirectory("pgark-standby-");
        Os.Run(pgBasebackup, "-h", _primary.SocketDirectory, "-p", _primary.Port.ToString(), "-U", _primary.Superuser,
            "-D", copy, "-R", "-X", "stream", "--no-sync");
        await using LocalCluster standby = LocalCluster.Adopt(copy, new LocalClusterOptions { BinDirectory = _primary.Installation.BinDirectory });
        await standby.StartAsync();
        Assert.True(await standby.ScalarAsync<bool>("SELECT pg_is_in_recovery()"));
        await WaitUntilAsync(() => _primary.ScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_stat_replication WHERE state = 'streaming')"),
            "the standby never reached state 'streaming' in pg_stat_replication");

        // Writes after the standby was made reach it by streaming; then the primary is quiesced and the standby caught up.
        await _primary.ExecuteAsync("UPDATE accounts SET abalance = abalance + 7 WHERE aid % 100 = 0; " +
            "CREATE TABLE after_standby AS SELECT g AS id FROM generate_series(1, 5000) g; CHECKPOINT;", "stby1");
        await WaitForReplayAsync(standby);
        var primaryRows = await PhysicalTestBed.FingerprintAsync(_primary, s_databases);
        long primaryAfter = await _primary.ScalarAsync<long>("SELECT count(*) FROM after_standby", "stby1");

        var repository = await bed.InitRepositoryAsync();
        var settings = ConnectionSettings.Parse(standby.ConnInfo("stby1"), ReplicationMode.Physical);
        PhysicalBackupResult result = await new PhysicalBackup(repository, settings).RunAsync();

        Assert.Null(result.RowCounts);
        Assert.Contains("standby", result.RowCountsSkipped ?? "", StringComparison.Ordinal);
        Assert.True(result.WalBytes > 0, "no WAL was streamed from the standby");
        ulong systemId = ulong.Parse(await _primary.ScalarAsync<string>("SELECT system_identifier::text FROM pg_control_system()"));
        Assert.Equal(systemId, result.Snapshot.Record.Metadata.SystemIdentifier);

        string target = bed.NewDirectory("pgark-restore-");
        var restored = await PhysicalTestBed.Restorer(repository, target).RunAsync(result.Snapshot);
        Assert.True(restored.ManifestFilesVerified > 500, $"only {restored.ManifestFilesVerified} files were verified against backup_manifest");
        Assert.Equal(["standby.signal"], restored.SignalFilesLeftOut);
        Assert.False(File.Exists(Path.Combine(target, "standby.signal")), "the restored copy would come up as a standby of the original primary");

        await using LocalCluster restoredCopy = LocalCluster.Adopt(target,
            new LocalClusterOptions { KeepDirectory = true, BinDirectory = _primary.Installation.BinDirectory });
        await restoredCopy.StartAsync();
        await WaitUntilAsync(async () => !await restoredCopy.ScalarAsync<bool>("SELECT pg_is_in_recovery()"),
            "the restored copy stayed in recovery");
        Assert.Equal(primaryRows, await PhysicalTestBed.FingerprintAsync(restoredCopy, s_databases));
        Assert.Equal(primaryAfter, await restoredCopy.ScalarAsync<long>("SELECT count(*) FROM after_standby", "stby1"));
        await restoredCopy.ExecuteAsync("INSERT INTO after_standby VALUES (-1)", "stby1"); // a primary of its own: writable
        Assert.Equal(primaryAfter, await _primary.ScalarAsync<long>("SELECT count(*) FROM after_standby", "stby1"));

        var check = await repository.CheckAsync(readData: true);
        Assert.False(check.HasErrors, string.Join("\n", check.Errors));
        await standby.StopAsync();
        await _primary.ExecuteAsync("DROP DATABASE stby1");
    }

    /// <summary>Waits until the standby has replayed everything the primary has written so far.</summary>
    private async Task WaitForReplayAsync(LocalCluster standby)
    {
        string written = await _primary.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text");
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
