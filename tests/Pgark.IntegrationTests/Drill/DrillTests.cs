using System.Text.Json;
using Npgsql;
using Pgark.Cluster;
using Pgark.Drill;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.IntegrationTests.Physical;
using Pgark.IntegrationTests.Wal;
using Pgark.Logical;
using Pgark.Physical;
using Pgark.Repository.Drills;
using Pgark.Repository.Snapshots;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Drill;

/// <summary>
/// pgark drill on real servers: a good physical backup taken under concurrent writes matches its recorded counts
/// exactly; a corrupted chunk of a table's file fails the drill naming that table while the other tables are still
/// checked; a logical backup drills with its row-set digests; a backup without recorded counts reports restored ones.
/// </summary>
public sealed class DrillTests(DrillFixture fixture) : IClassFixture<DrillFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task A_physical_backup_taken_under_writes_drills_clean_with_exact_counts_and_records_the_result()
    {
        using var bed = new PhysicalTestBed();
        var repository = await bed.InitRepositoryAsync();

        // Insert rows in small transactions for the whole backup: the counts must still match exactly.
        using var stop = new CancellationTokenSource();
        Task writer = WriteUntilAsync(stop.Token);
        PhysicalBackupResult backup;
        try
        {
            backup = await BackupAsync(repository);
            // The drill must count the rows at the backup's LSN, not the table as it is later: keep writing until rows exist
            // beyond the recorded count (the counts are taken near the backup's end; on a loaded machine the writer may not
            // have committed another row by the time the backup returns).
            long countedOrders = backup.RowCounts?.Tables.SingleOrDefault(t => t.QualifiedName == "public.orders")?.Rows ?? 0;
            for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline
                && await _cluster.ScalarAsync<long>("SELECT count(*) FROM orders", DrillFixture.Database) <= countedOrders;)
            {
            }
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
        Assert.NotNull(backup.RowCounts);
        Assert.Equal(DrillFixture.Database, backup.RowCounts!.Database);
        Assert.Contains(backup.RowCounts.Tables, t => t.QualifiedName == "public.orders");
        Assert.DoesNotContain(backup.RowCounts.Tables, t => t.QualifiedName == "public.scratch"); // unlogged: empty after recovery
        Assert.DoesNotContain(backup.RowCounts.Tables, t => t.QualifiedName == "public.events"); // partitioned parent: no storage
        long recordedOrders = backup.RowCounts.Tables.Single(t => t.QualifiedName == "public.orders").Rows;
        long nowOrders = await _cluster.ScalarAsync<long>("SELECT count(*) FROM orders", DrillFixture.Database);
        Assert.True(nowOrders > recordedOrders, $"the writer added no rows after the counts ({recordedOrders} then {nowOrders}); the test proves nothing");

        var run = await CliHarness.RunAsync(["drill", "--repo", bed.RepositoryDirectory, "--json"]);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        using var json = JsonDocument.Parse(run.Out);
        JsonElement root = json.RootElement;
        Assert.Equal("pgark-drill", root.GetProperty("format").GetString());
        Assert.Equal(backup.Snapshot.Id.ToString(), root.GetProperty("snapshot").GetString());
        Assert.Equal("physical", root.GetProperty("kind").GetString());
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.True(root.GetProperty("row_counts_recorded").GetBoolean());
        Assert.Equal(backup.RowCounts.Lsn, root.GetProperty("recovery_target_lsn").GetString());
        var shop = root.GetProperty("tables").EnumerateArray().Where(t => t.GetProperty("database").GetString() == DrillFixture.Database).ToList();
        Assert.Equal(backup.RowCounts.Tables.Select(t => t.QualifiedName).Order(), shop.Select(t => t.GetProperty("table").GetString()).Order());
        foreach (JsonElement table in shop)
        {
            Assert.Equal("match", table.GetProperty("match").GetString());
            Assert.Equal(table.GetProperty("expected_rows").GetInt64(), table.GetProperty("restored_rows").GetInt64());
        }
        Assert.Equal(recordedOrders, shop.Single(t => t.GetProperty("table").GetString() == "public.orders").GetProperty("restored_rows").GetInt64());
        JsonElement timings = root.GetProperty("timings");
        Assert.True(timings.GetProperty("rto_seconds").GetDouble() > 0);
        // The RTO is the sum of the three, but each of the four is printed rounded to the millisecond on its own: the printed
        // parts may add up to 2 ms more or less than the printed total (compared at 2 decimals, that straddled a rounding
        // boundary in about one run in twenty).
        Assert.Equal(timings.GetProperty("restore_seconds").GetDouble() + timings.GetProperty("wal_replay_seconds").GetDouble()
            + timings.GetProperty("checks_seconds").GetDouble(), timings.GetProperty("rto_seconds").GetDouble(), tolerance: 0.0021);
        bool amcheck = await AmcheckInstalledAsync();
        Assert.Equal(amcheck, root.GetProperty("amcheck").GetProperty("available").GetBoolean());
        if (amcheck)
            Assert.True(root.GetProperty("amcheck").GetProperty("indexes_checked").GetInt32() > 100); // catalogs' and ours, every database
        Assert.Empty(root.GetProperty("damaged_files").EnumerateArray());
        Assert.Empty(root.GetProperty("problems").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("kept").ValueKind);

        // The result is in the repository for pgark info.
        DrillRecord recorded = Assert.Single(await (await bed.OpenRepositoryAsync()).ListDrillRecordsAsync());
        Assert.Equal(backup.Snapshot.Id.ToString(), recorded.SnapshotId);
        Assert.True(recorded.Passed);
        Assert.Equal($"lsn {backup.RowCounts.Lsn}", recorded.RecoveryTarget);
        Assert.Equal(backup.RowCounts.Lsn, root.GetProperty("reached_lsn").GetString());
        Assert.Equal(recorded.ReachedLsn, root.GetProperty("reached_lsn").GetString());
        Assert.Equal(recordedOrders, recorded.Tables!.Single(t => t.Name == "shop.public.orders").RestoredRows);
        Assert.Equal(shop.Count, recorded.Tables!.Count(t => t.Name.StartsWith("shop.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_corrupted_chunk_of_a_tables_file_fails_the_drill_naming_the_table_and_the_rest_is_still_checked()
    {
        using var bed = new PhysicalTestBed();
        var repository = await bed.InitRepositoryAsync();
        PhysicalBackupResult backup = await BackupAsync(repository);
        string ordersFile = await _cluster.ScalarAsync<string>("SELECT pg_relation_filepath('orders')", DrillFixture.Database);

        // Flip bytes inside the stored extent 1 of orders' heap file, in its pack.
        TreeFile file = await FindFileAsync(repository, backup.Snapshot, ordersFile);
        Assert.True(file.Extents.Count >= 2, $"{ordersFile} has {file.Extents.Count} extents");
        Assert.True(repository.Index.TryGet(file.Extents[1].ObjectId, out var location));
        string pack = Path.Combine(bed.RepositoryDirectory, location.PackFileName);
        FlipBytes(pack, location.Entry.Offset + location.Entry.StoredLength / 2);

        var run = await CliHarness.RunAsync(["drill", "--repo", bed.RepositoryDirectory]);

        Assert.True(run.ExitCode == 1, run.Out + run.Error);
        Assert.True(run.Out.Contains($"damaged:  {ordersFile} (shop: public.orders): extent 1: repository corruption", StringComparison.Ordinal), run.Out);
        string[] lines = run.Out.Split('\n');
        Assert.Matches(@"^shop\s+public\.orders\s+\d+\s+\d+\s+NO$", lines.Single(l => l.StartsWith("shop ") && l.Contains("public.orders ")));
        // The other tables were restored and counted despite the damage.
        Assert.Matches(@"^shop\s+public\.customers\s+500\s+500\s+yes$", lines.Single(l => l.StartsWith("shop ") && l.Contains("public.customers ")));
        Assert.Contains("problem:  table shop: public.orders has ", run.Out);
        Assert.EndsWith("drill FAILED: 2 problem(s)", run.Out.TrimEnd());

        DrillRecord recorded = Assert.Single(await (await bed.OpenRepositoryAsync()).ListDrillRecordsAsync());
        Assert.False(recorded.Passed);
        Assert.StartsWith($"{ordersFile} (shop: public.orders) is damaged in the repository", recorded.Failure);
        Assert.False(recorded.Tables!.Single(t => t.Name == "shop.public.orders").Match);
        Assert.True(recorded.Tables!.Single(t => t.Name == "shop.public.customers").Match);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_logical_backup_drills_clean_with_row_counts_and_row_set_digests(bool globals)
    {
        using var bed = new PhysicalTestBed();
        var repository = await bed.InitRepositoryAsync();
        // Globals the scratch server lacks: a per-role setting of the database and a table in a tablespace. Without --globals the
        // drill leaves both out rather than failing on them; with them it creates the role, and the tablespace in its scratch
        // directory (the source's directory is in use on this very host).
        string location = _cluster.CreateServerDirectory(Path.Combine(Path.GetTempPath(), "pgark-drill-ts-" + Guid.NewGuid().ToString("N")));
        await _cluster.ExecuteAsync($"CREATE TABLESPACE drill_space LOCATION '{location}'"); // not in a transaction block
        await _cluster.ExecuteAsync($"CREATE ROLE drill_reader; ALTER ROLE drill_reader IN DATABASE {DrillFixture.Database} SET work_mem = '8MB'");
        await _cluster.ExecuteAsync("CREATE TABLE placed (id int PRIMARY KEY) TABLESPACE drill_space; INSERT INTO placed SELECT generate_series(1, 10)",
            DrillFixture.Database);
        LogicalBackupResult backup;
        try
        {
            backup = await LogicalBackup.RunAsync(repository, new LogicalBackupOptions
            {
                Source = ConnectionSettings.Parse(_cluster.ConnInfo(DrillFixture.Database)),
                Globals = globals,
            });
        }
        finally
        {
            await _cluster.ExecuteAsync("DROP TABLE placed", DrillFixture.Database);
            await _cluster.ExecuteAsync("DROP TABLESPACE drill_space");
            await _cluster.ExecuteAsync($"ALTER ROLE drill_reader IN DATABASE {DrillFixture.Database} RESET ALL; DROP ROLE drill_reader");
            Directory.Delete(location);
        }
        Assert.Contains(backup.Manifest.Tables, t => t.QualifiedName == "public.placed");

        var run = await CliHarness.RunAsync(["drill", "--repo", bed.RepositoryDirectory, "--backup", backup.Snapshot.ShortId, "--json"]);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("logical", json.RootElement.GetProperty("kind").GetString());
        var tables = json.RootElement.GetProperty("tables").EnumerateArray().ToList();
        Assert.Equal(backup.Manifest.Tables.Select(t => t.QualifiedName).Order(), tables.Select(t => t.GetProperty("table").GetString()).Order());
        foreach (JsonElement table in tables)
        {
            Assert.Equal("match", table.GetProperty("match").GetString());
            Assert.Equal(table.GetProperty("expected_checksum").GetString(), table.GetProperty("restored_checksum").GetString());
        }
        // The rows the backup saw: the fixture's 30000, more if the physical test's writer ran first (xunit does not fix the
        // order of a class's tests; this test used to pass only because it ran first).
        long backedUp = backup.Manifest.Tables.Single(t => t.QualifiedName == "public.orders").Rows;
        Assert.True(backedUp >= 30000, $"the backup recorded {backedUp} orders");
        Assert.Equal(backedUp, tables.Single(t => t.GetProperty("table").GetString() == "public.orders").GetProperty("restored_rows").GetInt64());
    }

    [Fact]
    public async Task Without_recorded_counts_the_drill_reports_restored_counts_and_passes()
    {
        using var bed = new PhysicalTestBed();
        var repository = await bed.InitRepositoryAsync();
        PhysicalBackupResult backup = await BackupAsync(repository, countRows: false);
        Assert.Null(backup.RowCounts);

        var run = await CliHarness.RunAsync(["drill", "--repo", bed.RepositoryDirectory, "--no-amcheck"]);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Contains("recovered to the end of the backup's WAL, row counts not recorded at backup", run.Out);
        Assert.Matches(@"(?m)^shop\s+public\.customers\s+not recorded\s+500\s+-$", run.Out);
        Assert.Contains("amcheck:  not run", run.Out);
        Assert.EndsWith("drill passed", run.Out.TrimEnd());
    }

    /// <summary>
    /// A backup, then ten rows (committed by one transaction, whose xid is returned), the moment, twenty more rows, and
    /// the WAL from the backup's start to the inserts archived as archive_command would; the repository is made
    /// readable to the server account, which runs restore_command.
    /// </summary>
    private async Task<(string Moment, string TenRowsXid)> BackupThenTenRowsThenTwentyAsync(PhysicalTestBed bed)
    {
        var repository = await bed.InitRepositoryAsync();
        PhysicalBackupResult backup = await BackupAsync(repository);
        var metadata = backup.Snapshot.Record.Metadata;
        string firstSegment = new Lsn(metadata.StartLsn).WalFileName(new TimelineId(metadata.Timeline), 16 << 20);

        await _cluster.ExecuteAsync("CREATE TABLE pitr (id int)", DrillFixture.Database);
        string xid = await _cluster.ScalarAsync<string>(
            "WITH ten AS (INSERT INTO pitr SELECT generate_series(1, 10)) SELECT txid_current()::text", DrillFixture.Database);
        string moment = await _cluster.ScalarAsync<string>(
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", DrillFixture.Database);
        await _cluster.ExecuteAsync("INSERT INTO pitr SELECT generate_series(11, 30)", DrillFixture.Database);
        await _cluster.ExecuteAsync("DROP TABLE pitr", DrillFixture.Database); // the fixture's database is shared
        string lastSegment = await _cluster.ScalarAsync<string>("SELECT pg_walfile_name(pg_current_wal_lsn())");
        await _cluster.ExecuteAsync("SELECT pg_switch_wal()");

        foreach (string segment in Directory.EnumerateFiles(Path.Combine(_cluster.DataDirectory, "pg_wal"))
            .Where(f => Path.GetFileName(f).Length == 24 && string.CompareOrdinal(Path.GetFileName(f), firstSegment) >= 0
                && string.CompareOrdinal(Path.GetFileName(f), lastSegment) <= 0).Order())
        {
            var push = await CliHarness.RunAsync(["wal", "push", "--repo", bed.RepositoryDirectory, segment]);
            Assert.True(push.ExitCode == 0, push.Error);
        }
        Os.Run("chmod", "-R", "a+rwX", bed.RepositoryDirectory);
        return (moment, xid);
    }

    [Fact]
    public async Task A_point_in_time_drill_replays_archived_wal_to_the_moment_asked_and_no_further()
    {
        using var bed = new PhysicalTestBed();
        (string moment, _) = await BackupThenTenRowsThenTwentyAsync(bed);

        var run = await CliHarness.RunAsync(["drill", "--repo", bed.RepositoryDirectory, "--target-time", moment, "--json"]);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        using var json = JsonDocument.Parse(run.Out);
        JsonElement root = json.RootElement;
        Assert.Equal(DateTimeOffset.Parse(moment, System.Globalization.CultureInfo.InvariantCulture),
            root.GetProperty("recovery_target_time").GetDateTimeOffset());
        Assert.False(root.GetProperty("row_counts_recorded").GetBoolean());
        // The planner's exact stop: the stop LSN it found, reached by the server.
        Assert.Equal(JsonValueKind.String, root.GetProperty("recovery_target_lsn").ValueKind);
        JsonElement pitr = root.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == "public.pitr");
        Assert.Equal(10, pitr.GetProperty("restored_rows").GetInt64());
        Assert.Equal("not-recorded", pitr.GetProperty("match").GetString());
        DrillRecord recorded = Assert.Single(await (await bed.OpenRepositoryAsync()).ListDrillRecordsAsync());
        Assert.StartsWith("time " + moment[..19], recorded.RecoveryTarget);
    }

    [Fact]
    public async Task A_drill_to_a_transaction_id_stops_at_its_commit_through_restore_command()
    {
        using var bed = new PhysicalTestBed();
        (_, string xid) = await BackupThenTenRowsThenTwentyAsync(bed);

        var run = await CliHarness.RunAsync(["drill", "--repo", bed.RepositoryDirectory, "--target-xid", xid, "--no-amcheck"]);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Contains($"recovered to xid {xid} (inclusive) with archived WAL, row counts are the backup's", run.Out);
        Assert.Matches(@"(?m)^shop\s+public\.pitr\s+not recorded\s+10\s+-$", run.Out);
        DrillRecord recorded = Assert.Single(await (await bed.OpenRepositoryAsync()).ListDrillRecordsAsync());
        Assert.Equal($"xid {xid} (inclusive)", recorded.RecoveryTarget);
        Assert.True(recorded.Passed);
    }

    [Fact]
    public async Task A_drill_to_a_target_the_archive_cannot_reach_is_refused_before_restoring()
    {
        using var bed = new PhysicalTestBed();
        await BackupThenTenRowsThenTwentyAsync(bed);

        var run = await CliHarness.RunAsync(["drill", "--repo", bed.RepositoryDirectory, "--target-xid", "4000000000"]);

        Assert.Equal(10, run.ExitCode);
        Assert.Contains("pgark: planning recovery to xid 4000000000 (inclusive)", run.Error);
        Assert.Contains("4000000000", run.Error.Split("planning recovery")[1]); // the refusal names the target
        Assert.DoesNotContain("restoring", run.Error);
        Assert.Empty(await (await bed.OpenRepositoryAsync()).ListDrillRecordsAsync());
    }

    private Task<PhysicalBackupResult> BackupAsync(Repository.Repository repository, bool countRows = true)
        => new PhysicalBackup(repository, ConnectionSettings.Parse(_cluster.ConnInfo(DrillFixture.Database), ReplicationMode.Physical),
            new PhysicalBackupOptions { CountRows = countRows }).RunAsync();

    private async Task WriteUntilAsync(CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(_cluster.NpgsqlConnectionString(DrillFixture.Database));
        await connection.OpenAsync(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            await using var command = new NpgsqlCommand("INSERT INTO orders (customer, note) VALUES (1, 'during the backup')", connection);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<TreeFile> FindFileAsync(Repository.Repository repository, SnapshotInfo snapshot, string path)
    {
        await foreach (TreeFile file in repository.ReadTreeAsync(snapshot.Record))
        {
            if (file.Entry.Path == path)
                return file;
        }
        throw new InvalidOperationException($"{path} is not in snapshot {snapshot.ShortId}");
    }

    private static void FlipBytes(string path, long offset)
    {
        File.SetAttributes(path, FileAttributes.Normal);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var bytes = new byte[16];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] ^= 0x5A;
        stream.Position = offset;
        stream.Write(bytes);
    }

    /// <summary>The oracle: whether the fixture's installation ships amcheck (the drill's server uses the same one).</summary>
    private async Task<bool> AmcheckInstalledAsync()
        => await _cluster.ScalarAsync<long>("SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'") == 1;
}
