using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Physical;

namespace Pgark.IntegrationTests.Physical;

/// <summary>A backup whose connection dies midway commits nothing and leaves the repository clean.</summary>
public sealed class PhysicalInterruptionTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task A_backup_whose_walsender_is_terminated_commits_no_snapshot_and_check_stays_clean()
    {
        using var bed = new PhysicalTestBed();
        await PhysicalTestBed.LoadWorkloadAsync(_cluster, ["interrupted"], rows: 100_000);
        var repository = await bed.InitRepositoryAsync();
        var complete = await PhysicalTestBed.BackupAsync(repository, _cluster);

        // MAX_RATE keeps the backup streaming long enough to be cut; terminate it once files are flowing.
        Task<PhysicalBackupResult> slow = PhysicalTestBed.BackupAsync(repository, _cluster,
            new PhysicalBackupOptions { MaxRateKilobytesPerSecond = 4096, Label = "to be cut" });
        long sent = 0;
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (sent < 2 << 20 && !slow.IsCompleted)
            {
                deadline.Token.ThrowIfCancellationRequested();
                sent = await _cluster.ScalarAsync<long>(
                    "SELECT coalesce(max(backup_streamed), 0) FROM pg_stat_progress_basebackup");
                await Task.Yield();
            }
        }
        Assert.False(slow.IsCompleted, "the throttled backup finished before it could be interrupted");
        await _cluster.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_progress_basebackup");

        var error = await Assert.ThrowsAnyAsync<Pgark.Wire.PgWireException>(() => slow);
        Assert.Contains("terminat", error.ToString(), StringComparison.OrdinalIgnoreCase);

        var reopened = await bed.OpenRepositoryAsync();
        var snapshots = await reopened.ListSnapshotsAsync();
        Assert.Equal([complete.Snapshot.Id], snapshots.Select(s => s.Id));
        var check = await reopened.CheckAsync(readData: true);
        Assert.False(check.HasErrors, string.Join("\n", check.Errors));
        // The temporary slot goes with its walsender, which exits once pgark closed the connection.
        Assert.True(SpinWait.SpinUntil(() => SlotCount() == 0, TimeSpan.FromSeconds(30)), "the temporary WAL slot outlived the backup");
        await _cluster.ExecuteAsync("DROP DATABASE interrupted");
    }

    private long SlotCount() => _cluster.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots").GetAwaiter().GetResult();
}
