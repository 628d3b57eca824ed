using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Repository.Format;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wal;

/// <summary>Streaming from a standby that is promoted: the stream ends with the timeline, pgark stores the history and follows.</summary>
public sealed class WalTimelineTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _primary = fixture.Cluster;

    [Fact]
    public async Task A_promotion_is_followed_onto_the_next_timeline_with_its_history_file()
    {
        string copy = Path.Combine(Path.GetTempPath(), $"pgark-wal-standby-{Guid.NewGuid():N}");
        Os.Run(Path.Combine(_primary.Installation.BinDirectory, "pg_basebackup"), "-h", _primary.SocketDirectory, "-p", _primary.Port.ToString(),
            "-U", _primary.Superuser, "-D", copy, "-R", "-X", "stream", "--no-sync");
        await using LocalCluster standby = LocalCluster.Adopt(copy);
        await standby.StartAsync();
        await using var harness = await WalStreamHarness.CreateAsync(standby);
        var (receiver, run, stop) = harness.Start(harness.Options("cascade_slot"));

        // Timeline 1 through the standby.
        Lsn onPrimary = await WalStreamHarness.WriteLoadOnAsync(_primary, rounds: 4);
        await WalStreamHarness.WaitDurableAsync(receiver, run, onPrimary);
        Assert.Equal(1u, receiver.Timeline.Value);

        // Promote: the standby's walsender ends timeline 1, pgark fetches 00000002.history and continues.
        await standby.PromoteAsync();
        Lsn onTimeline2 = await harness.WriteLoadAsync(rounds: 4);
        await WalStreamHarness.WaitDurableAsync(receiver, run, onTimeline2);
        Assert.Equal(2u, receiver.Timeline.Value);
        await WalStreamHarness.StopAsync(run, stop);

        List<WalSegmentObject> stored = await harness.Store.ListAsync();
        WalSegmentObject history = Assert.Single(stored, o => o.Kind == WalKind.History);
        Assert.Equal("00000002.history", history.WalFileName);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(standby.DataDirectory, "pg_wal", "00000002.history")),
            await harness.Store.ReadAsync(history));
        Assert.Contains(stored, o => o.Timeline.Value == 1 && o.Kind == WalKind.Partial);
        Assert.Contains(stored, o => o.Timeline.Value == 2);
        Assert.True(await harness.AssertArchiveMatchesServerAsync() >= 2);
        WalArchiveStatus status = await WalArchiveStatus.ComputeAsync(harness.Store);
        Assert.Empty(status.Gaps);
        Assert.Equal([1u, 2u], status.Timelines.Select(t => t.Timeline.Value));
    }
}
