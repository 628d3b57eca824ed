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
            Assert.StartsWith($"pgark: the archive already holds a different {name} (wal/{name}.full.", conflict.Error);
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
            Assert.Equal(0, (await CliHarness.RunAsync(["wal", "push", "--repo", harness.Directory, history])).ExitCode);
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
