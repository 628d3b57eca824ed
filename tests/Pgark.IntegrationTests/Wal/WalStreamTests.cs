using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wal;

/// <summary>Continuous archiving of a real server: completeness, byte identity with pg_wal, resume and reconnect.</summary>
public sealed class WalStreamTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Streaming_under_load_stores_every_segment_once_and_byte_identical_to_pg_wal()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        var (receiver, run, stop) = harness.Start(harness.Options("load_slot"));

        Lsn target = await harness.WriteLoadAsync(rounds: 12);
        await WalStreamHarness.WaitDurableAsync(receiver, run, target);
        await WalStreamHarness.StopAsync(run, stop);

        Assert.True(receiver.Counters.SegmentsStored >= 3, $"only {receiver.Counters.SegmentsStored} segments were completed");
        int compared = await harness.AssertArchiveMatchesServerAsync();
        Assert.True(compared >= 3, $"only {compared} stored segments could be compared with pg_wal");
        // The slot follows what pgark stored, never more.
        Lsn slotFlush = Lsn.Parse(await _cluster.ScalarAsync<string>("SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'load_slot'"));
        Assert.True(slotFlush <= receiver.DurableLsn, $"slot restart_lsn {slotFlush} is past pgark's durable {receiver.DurableLsn}");
        await _cluster.ExecuteAsync("SELECT pg_drop_replication_slot('load_slot')");
    }

    [Fact]
    public async Task A_stopped_streamer_resumes_where_the_archive_ends_without_gap_or_duplicate()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        var (first, run, stop) = harness.Start(harness.Options("resume_slot"));
        Lsn middle = await harness.WriteLoadAsync(rounds: 4, switchSegments: false);
        await WalStreamHarness.WaitDurableAsync(first, run, middle);
        await WalStreamHarness.StopAsync(run, stop);
        Lsn stoppedAt = first.DurableLsn;

        Lsn end = await harness.WriteLoadAsync(rounds: 15);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (second, run2, stop2) = harness.Start(harness.Options("resume_slot", createSlot: false));
        await WalStreamHarness.WaitDurableAsync(second, run2, end);
        TimeSpan catchUp = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Console.WriteLine($"catch-up: {second.Counters.BytesReceived / 1048576.0:0.0} MiB of backlog stored in {catchUp.TotalSeconds:0.00} s "
            + $"({second.Counters.BytesReceived / 1048576.0 / catchUp.TotalSeconds:0.0} MiB/s, {second.Counters.SegmentsStored} segments, "
            + $"{second.Counters.PartialsStored} partials)");
        await WalStreamHarness.StopAsync(run2, stop2);

        Assert.True(second.Counters.BytesReceived <= (long)(second.DurableLsn - stoppedAt) + (16 << 20),
            "the second run received far more than what followed the first run's durable position");
        Assert.True(await harness.AssertArchiveMatchesServerAsync() >= 2);
        await _cluster.ExecuteAsync("SELECT pg_drop_replication_slot('resume_slot')");
    }

    [Theory]
    [InlineData(ShutdownMode.Fast)]
    [InlineData(ShutdownMode.Immediate)]
    public async Task A_server_restart_is_survived_by_reconnecting(ShutdownMode mode)
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        string slot = $"restart_{mode.ToString().ToLowerInvariant()}";
        var (receiver, run, stop) = harness.Start(harness.Options(slot));
        Lsn before = await harness.WriteLoadAsync(rounds: 3);
        await WalStreamHarness.WaitDurableAsync(receiver, run, before);

        await _cluster.RestartAsync(mode);
        Lsn after = await harness.WriteLoadAsync(rounds: 4);
        await WalStreamHarness.WaitDurableAsync(receiver, run, after);
        await WalStreamHarness.StopAsync(run, stop);

        Assert.True(receiver.Counters.Reconnects >= 1, "the receiver never reconnected");
        Assert.True(await harness.AssertArchiveMatchesServerAsync() >= 2);
        await _cluster.ExecuteAsync($"SELECT pg_drop_replication_slot('{slot}')");
    }

    [Fact]
    public async Task A_killed_walsender_connection_is_reestablished_without_gap()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        var (receiver, run, stop) = harness.Start(harness.Options("kill_slot"));
        Lsn before = await harness.WriteLoadAsync(rounds: 3);
        await WalStreamHarness.WaitDurableAsync(receiver, run, before);

        // The connection dies under the streamer, as on a network failure (the server side closes it).
        Assert.True(await _cluster.ScalarAsync<bool>(
            "SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_replication WHERE application_name = 'pgark'"));
        Lsn after = await harness.WriteLoadAsync(rounds: 4);
        await WalStreamHarness.WaitDurableAsync(receiver, run, after);
        await WalStreamHarness.StopAsync(run, stop);

        Assert.True(receiver.Counters.Reconnects >= 1, "the receiver never reconnected");
        Assert.True(await harness.AssertArchiveMatchesServerAsync() >= 2);
        await _cluster.ExecuteAsync("SELECT pg_drop_replication_slot('kill_slot')");
    }

    [Fact]
    public async Task A_missing_slot_is_refused_clearly()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        var error = await Assert.ThrowsAsync<WalStreamException>(() => new WalReceiver(harness.Repository,
            harness.Options("no_such_slot", createSlot: false)).RunAsync());
        Assert.Equal("replication slot \"no_such_slot\" does not exist on the server", error.Message);
        Assert.Contains("--create-slot", error.Hint);
        Assert.Empty(await harness.Store.ListAsync());
    }

    [Fact]
    public async Task A_second_streamer_for_the_same_cluster_is_refused()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        var (first, run, stop) = harness.Start(harness.Options("first_slot"));
        await WalStreamHarness.WaitDurableAsync(first, run, new Lsn(1));
        var error = await Assert.ThrowsAsync<WalStreamException>(() => new WalReceiver(harness.Repository,
            harness.Options("second_slot")).RunAsync());
        Assert.StartsWith($"another WAL streamer for system {first.SystemIdentifier} is running", error.Message);
        await WalStreamHarness.StopAsync(run, stop);
        await _cluster.ExecuteAsync("SELECT pg_drop_replication_slot('first_slot')");
        Assert.Equal(0L, await _cluster.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'second_slot'"));
    }
}
