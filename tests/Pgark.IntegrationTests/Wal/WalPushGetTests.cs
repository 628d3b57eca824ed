using Pgark.Recovery;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Repository.Format;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wal;

/// <summary>archive_command and restore_command through the CLI, on segments a real server wrote.</summary>
public sealed class WalPushGetTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    /// <summary>Makes the server complete a segment and returns the path of its file in pg_wal.</summary>
    private async Task<string> CompletedSegmentAsync(WalStreamHarness harness)
    {
        await harness.WriteLoadAsync(rounds: 1, switchSegments: false);
        string name = await _cluster.ScalarAsync<string>("SELECT pg_walfile_name(pg_current_wal_lsn())");
        await _cluster.ExecuteAsync("SELECT pg_switch_wal()");
        return Path.Combine(_cluster.DataDirectory, "pg_wal", name);
    }

    [Fact]
    public async Task Push_and_get_round_trip_is_idempotent_and_refuses_conflicting_content()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        string segment = await CompletedSegmentAsync(harness);
        string name = Path.GetFileName(segment);
        string work = Path.Combine(harness.Directory, "..", $"pgark-walpush-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var pushed = await CliHarness.RunAsync(["wal", "push", "--repo", harness.Directory, segment]);
            Assert.Equal((0, $"stored {name}\n"), (pushed.ExitCode, pushed.Out));
            var again = await CliHarness.RunAsync(["wal", "push", "--repo", harness.Directory, segment]);
            Assert.Equal((0, $"already archived {name}\n"), (again.ExitCode, again.Out));

            // Same name, one byte different in the middle: refused, nothing stored.
            string forged = Path.Combine(work, name);
            byte[] bytes = await File.ReadAllBytesAsync(segment);
            bytes[bytes.Length / 2] ^= 0xFF;
            await File.WriteAllBytesAsync(forged, bytes);
            var conflict = await CliHarness.RunAsync(["wal", "push", "--repo", harness.Directory, forged]);
            Assert.Equal(7, conflict.ExitCode);
            Assert.StartsWith($"pgark: the archive already holds a different {name} (wal/{WalClusters.Hex(harness.Store.SystemIdentifier)}/{name}.full.",
                conflict.Error);
            Assert.Single(await harness.Store.ListAsync());

            string restored = Path.Combine(work, "RECOVERYXLOG");
            var got = await CliHarness.RunAsync(["wal", "get", "--repo", harness.Directory, name, restored]);
            Assert.Equal(0, got.ExitCode);
            Assert.Equal(await File.ReadAllBytesAsync(segment), await File.ReadAllBytesAsync(restored));

            var missing = await CliHarness.RunAsync(["wal", "get", "--repo", harness.Directory, "0000000100000000000000FE", restored]);
            Assert.Equal(1, missing.ExitCode);
            Assert.Equal("pgark: 0000000100000000000000FE is not in the archive\n", missing.Error.Split("hint:")[0]);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// A server archiving with pgark takes a base backup: the backup history file it hands to archive_command must be
    /// accepted (not stored), or archiving would stall on it for good.
    /// </summary>
    [Fact]
    public async Task A_backup_history_file_from_archive_command_is_accepted_and_not_stored()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        Os.Run("chmod", "-R", "a+rwX", harness.Directory);
        string pushCommand = RestoreCommandLine.Quote(Path.Combine(AppContext.BaseDirectory, "Pgark.Cli")) + " wal push --repo "
            + RestoreCommandLine.Quote(harness.Directory) + " %p";
        var options = new LocalClusterOptions { Settings = new Dictionary<string, string> { ["archive_mode"] = "on", ["archive_command"] = pushCommand } };
        await using LocalCluster archiving = await LocalCluster.StartAsync(options);

        // Non-exclusive backup in one session; pg_backup_stop writes <segment>.<offset>.backup and marks it ready.
        await archiving.ExecuteAsync(archiving.Installation.Major >= 15
            ? "SET statement_timeout = '60s'; SELECT pg_backup_start('pgark push test', true); SELECT pg_backup_stop(true)"
            : "SET statement_timeout = '60s'; SELECT pg_start_backup('pgark push test', true, false); SELECT pg_stop_backup(false, true)");
        // wait_for_archive = true: pg_backup_stop returns only once both the backup's last segment and the backup history
        // file are archived (do_pg_backup_stop waits on XLogArchiveIsBusy for each), so a refusal would keep it waiting until the statement timeout.
        long archived = await archiving.ScalarAsync<long>("SELECT archived_count FROM pg_stat_archiver");
        long failed = await archiving.ScalarAsync<long>("SELECT failed_count FROM pg_stat_archiver");
        string backupName = Assert.Single(Directory.GetFiles(Path.Combine(archiving.DataDirectory, "pg_wal", "archive_status"), "*.backup.done")
            .Select(f => Path.GetFileName(f)[..^".done".Length]));
        Assert.True(failed == 0, $"archive_command failed {failed} times\n" + archiving.ReadLogTail(20));
        Assert.True(archived >= 2, $"archived {archived}");
        Assert.True(WalFileName.IsBackupHistory(backupName), backupName);

        // Segments are stored, as the archiving cluster's own WAL (not the harness cluster's); the backup history file is not.
        IReadOnlyList<WalSegmentObject> stored = await new WalStore(harness.Repository, await WalStreamHarness.SystemIdentifierAsync(archiving)).ListAsync();
        Assert.Empty(await harness.Store.ListAsync());
        Assert.Contains(stored, o => o.WalFileName == backupName[..WalFileName.SegmentNameLength]);
        Assert.DoesNotContain(stored, o => o.ObjectName.Contains(".backup", StringComparison.Ordinal));

        // The same name over something else (a segment renamed to it) is refused rather than dropped.
        string work = Path.Combine(harness.Directory, "..", $"pgark-walpush-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string forged = Path.Combine(work, backupName);
            await File.WriteAllBytesAsync(forged, new byte[8192]);
            var refused = await CliHarness.RunAsync(["wal", "push", "--repo", harness.Directory, forged]);
            Assert.Equal(2, refused.ExitCode);
            Assert.StartsWith($"pgark: \"{backupName}\" is named like a backup history file but does not start with \"START WAL LOCATION:\"", refused.Error);
            await File.WriteAllTextAsync(forged, "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n");
            var skipped = await CliHarness.RunAsync(["wal", "push", "--repo", harness.Directory, forged]);
            Assert.Equal((0, $"skipped backup history file {backupName}\n"), (skipped.ExitCode, skipped.Out));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task History_files_round_trip_and_partials_are_served_zero_padded()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        string work = Path.Combine(Path.GetTempPath(), $"pgark-walget-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string history = Path.Combine(work, "00000012.history");
            await File.WriteAllTextAsync(history, "1\t0/3000148\tno recovery target specified\n\n17\t0/5000000\tbefore 2026-11-21\n");
            // A history file names no cluster: pushed from outside a data directory into an archive without WAL, it needs --system-id.
            Assert.Equal(2, (await CliHarness.RunAsync(["wal", "push", "--repo", harness.Directory, history])).ExitCode);
            string systemId = harness.Store.SystemIdentifier.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(0, (await CliHarness.RunAsync(["wal", "push", "--repo", harness.Directory, "--system-id", systemId, history])).ExitCode);
            string back = Path.Combine(work, "history.out");
            Assert.Equal(0, (await CliHarness.RunAsync(["wal", "get", "--repo", harness.Directory, "00000012.history", back])).ExitCode);
            Assert.Equal(await File.ReadAllBytesAsync(history), await File.ReadAllBytesAsync(back));

            string segment = await CompletedSegmentAsync(harness);
            byte[] full = await File.ReadAllBytesAsync(segment);
            Assert.True(WalFileName.TryParseSegment(Path.GetFileName(segment), full.Length, out TimelineId tli, out ulong number));
            await harness.Store.PutSegmentAsync(tli, number, full.Length, full.AsMemory(0, 3 << 20), partial: true);
            string partialOut = Path.Combine(work, "partial.out");
            Assert.Equal(0, (await CliHarness.RunAsync(["wal", "get", "--repo", harness.Directory, Path.GetFileName(segment), partialOut])).ExitCode);
            byte[] served = await File.ReadAllBytesAsync(partialOut);
            Assert.Equal(full.Length, served.Length);
            Assert.True(served.AsSpan(0, 3 << 20).SequenceEqual(full.AsSpan(0, 3 << 20)));
            Assert.True(served.AsSpan(3 << 20).IndexOfAnyExcept((byte)0) < 0, "the padding after a partial's valid bytes must be zeros");

            // A damaged object is "archive unreadable" (126, so PostgreSQL stops recovery), never "not in the archive" (1).
            WalSegmentObject stored = (await harness.Store.ListAsync(tli)).Single(o => o.Kind == WalKind.Partial);
            string file = Path.Combine(harness.Directory, stored.ObjectName);
            byte[] damaged = await File.ReadAllBytesAsync(file);
            damaged[^100] ^= 0x01;
            File.SetAttributes(file, FileAttributes.Normal);
            await File.WriteAllBytesAsync(file, damaged);
            var corrupt = await CliHarness.RunAsync(["wal", "get", "--repo", harness.Directory, Path.GetFileName(segment), partialOut]);
            Assert.Equal(126, corrupt.ExitCode);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
