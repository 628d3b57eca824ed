using System.Text.Json;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Repository.Format;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wal;

/// <summary>The CLI streamer stops cleanly on a signal; status reports RPO and finds gaps.</summary>
public sealed class WalStatusTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Cli_stream_stops_cleanly_and_status_reports_rpo_then_a_gap()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        using var interrupt = new CancellationTokenSource();
        Task<CliHarness.Result> streaming = CliHarness.RunAsync(["wal", "stream", "--repo", harness.Directory, "--db", _cluster.ConnInfo(),
            "--slot", "cli_slot", "--create-slot"], interrupt.Token);
        // The load must come after the streamer is streaming: a slot created after part of it was written would start the
        // archive later (rounded down to that segment) and leave fewer complete segments than the assertions below need.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await _cluster.ScalarAsync<bool>("SELECT coalesce((SELECT active FROM pg_replication_slots WHERE slot_name = 'cli_slot'), false)"))
        {
            if (streaming.IsCompleted)
                Assert.Fail($"wal stream ended early: {(await streaming).Error}");
            Assert.True(DateTime.UtcNow < deadline, "the CLI streamer did not start streaming within 60 s");
            await Task.Delay(50);
        }
        Lsn target = await harness.WriteLoadAsync(rounds: 12);
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await WalArchiveStatus.ComputeAsync(harness.Store)).NewestDurable < target)
        {
            if (streaming.IsCompleted)
                Assert.Fail($"wal stream ended early: {(await streaming).Error}");
            Assert.True(DateTime.UtcNow < deadline, "the CLI streamer did not store the load within 60 s");
            await Task.Delay(100);
        }
        await interrupt.CancelAsync(); // what SIGINT/SIGTERM do through InterruptSignal
        CliHarness.Result stopped = await streaming;
        Assert.Equal(0, stopped.ExitCode);
        Assert.Contains("pgark: stopped: WAL before ", stopped.Error);

        var status = await CliHarness.RunAsync(["status", "--repo", harness.Directory, "--db", _cluster.ConnInfo(), "--json", "--max-rpo", "1GB"]);
        Assert.Equal(0, status.ExitCode);
        using (var json = JsonDocument.Parse(status.Out))
        {
            Assert.True(json.RootElement.GetProperty("healthy").GetBoolean());
            Assert.Equal(0, json.RootElement.GetProperty("gaps").GetArrayLength());
            Assert.True(json.RootElement.GetProperty("rpo_bytes").GetInt64() >= 0);
        }

        // Remove a segment from the middle: status names the gap and exits 1.
        var full = (await harness.Store.ListAsync()).Where(o => o.Kind == WalKind.Full).ToList();
        Assert.True(full.Count >= 3, $"the load completed only {full.Count} segments");
        WalSegmentObject removed = full[full.Count / 2];
        await harness.Store.DeleteAsync(removed);
        var gap = await CliHarness.RunAsync(["status", "--repo", harness.Directory]);
        Assert.Equal(1, gap.ExitCode);
        Lsn from = Lsn.FromSegment(removed.SegmentNumber, 0, 16 << 20);
        Assert.Contains($"  timeline 1: {from} .. {from + (16UL << 20)}: segments missing", gap.Out);
        await _cluster.ExecuteAsync("SELECT pg_drop_replication_slot('cli_slot')");
    }
}
