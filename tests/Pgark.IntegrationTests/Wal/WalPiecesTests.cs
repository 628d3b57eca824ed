using System.Diagnostics;
using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Repository.Format;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wal;

/// <summary>
/// The segment in progress stored as pieces (repository-format.md §8.1) with a real server: a streamer killed with SIGKILL
/// mid-segment resumes from its pieces with no gap and no duplicate, wal get serves a segment held only as pieces, and a
/// synchronous streamer keeps up with pgbench while every commit waits for it.
/// </summary>
public sealed class WalPiecesTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const int SegmentSize = 16 << 20;
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task A_streamer_killed_mid_segment_resumes_from_its_pieces_and_wal_get_serves_them()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        await harness.WriteLoadAsync(rounds: 1, rowsPerRound: 10);
        await _cluster.ExecuteAsync("SELECT pg_switch_wal()");
        using Process streamer = harness.StartCliStreamer("kill_slot");
        try
        {
            // WAL inside one segment, durable as pieces: each round is reported flushed (the slot follows pgark's flush
            // position) before the next is written, so each is at least one piece.
            for (int round = 0; round < 3; round++)
            {
                Lsn target = await harness.WriteLoadAsync(rounds: 1, rowsPerRound: 500, switchSegments: false);
                await WalStreamHarness.WaitUntilAsync(async () => await harness.SlotFlushAsync("kill_slot") >= target, streamer);
            }
            Assert.True((await harness.Store.ListObjectsAsync()).Count(o => o.Kind == WalKind.Piece) >= 3);
        }
        finally
        {
            streamer.Kill(); // SIGKILL: no chance to store or clean up anything
            await streamer.WaitForExitAsync();
        }

        // What the dead streamer left: pieces of the segment in progress, read as one prefix.
        WalSegmentObject partial = (await harness.Store.ListAsync()).Last(o => o.IsSegment);
        Assert.Equal(WalKind.Partial, partial.Kind);
        Assert.All(partial.Parts, p => Assert.Equal(WalKind.Piece, p.Kind));
        Assert.True(partial.ValidLength > 0 && partial.ValidLength < SegmentSize, $"prefix of {partial.ValidLength} bytes");
        string served = Path.Combine(harness.Directory, "served");
        var get = await CliHarness.RunAsync(["wal", "get", "--repo", harness.Directory, partial.WalFileName, served]);
        Assert.Equal(0, get.ExitCode);
        byte[] bytes = await File.ReadAllBytesAsync(served);
        byte[] server = await File.ReadAllBytesAsync(Path.Combine(_cluster.DataDirectory, "pg_wal", partial.WalFileName));
        Assert.Equal(SegmentSize, bytes.Length);
        Assert.True(bytes.AsSpan(0, (int)partial.ValidLength).SequenceEqual(server.AsSpan(0, (int)partial.ValidLength)),
            "wal get of a segment held as pieces differs from the server's bytes");
        Assert.True(bytes.AsSpan((int)partial.ValidLength).IndexOfAnyExcept((byte)0) < 0, "the padding after the prefix must be zeros");

        // A new streamer continues right after the prefix: the server resends nothing stored and skips nothing.
        Lsn resumeAt = partial.EndLsn(SegmentSize);
        var log = new List<string>();
        Lsn end = await harness.WriteLoadAsync(rounds: 9);
        var (receiver, run, stop) = harness.Start(harness.Options("kill_slot", createSlot: false) with { Log = m => { lock (log) log.Add(m); } });
        await WalStreamHarness.WaitDurableAsync(receiver, run, end);
        await WalStreamHarness.StopAsync(run, stop);

        Assert.Contains($"resuming from the archive at {resumeAt} on timeline 1", log);
        Assert.Equal((long)(receiver.ReceivedLsn - resumeAt), receiver.Counters.BytesReceived);
        Assert.True(await harness.AssertArchiveMatchesServerAsync() >= 2);
        // Completed segments keep no pieces; the one in progress keeps a bounded number.
        List<WalSegmentObject> objects = await harness.Store.ListObjectsAsync();
        var full = objects.Where(o => o.Kind == WalKind.Full).Select(o => o.SegmentNumber).ToHashSet();
        Assert.DoesNotContain(objects, o => o.Kind is WalKind.Piece or WalKind.Partial && full.Contains(o.SegmentNumber));
        await _cluster.ExecuteAsync("SELECT pg_drop_replication_slot('kill_slot')");
    }

    [Fact]
    public async Task A_synchronous_streamer_keeps_up_with_pgbench_and_holds_every_commit()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        WalReceiverOptions options = harness.Options("bench_slot") with { Synchronous = true, StatusInterval = TimeSpan.FromSeconds(30) };
        options = options with { Connection = options.Connection with { ApplicationName = "pgark_bench" } };
        var (receiver, run, stop) = harness.Start(options);
        string pgbench = Path.Combine(_cluster.Installation.BinDirectory, "pgbench");
        await RunAsync(pgbench, "-i", "-s", "2", "-q");
        _cluster.SetSettings(new Dictionary<string, string> { ["synchronous_standby_names"] = "pgark_bench" });
        await _cluster.ReloadAsync();
        int maxParts = 0;
        receiver.DurableAdvanced += _ => maxParts = Math.Max(maxParts, Directory.GetFiles(Path.Combine(harness.Directory, "wal"), "*.piece-*", SearchOption.AllDirectories).Length);
        try
        {
            await WalStreamHarness.WaitUntilAsync(async () => await _cluster.ScalarAsync<string?>(
                "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'pgark_bench'") == "sync", null,
                async () => $"{await _cluster.ScalarAsync<string?>("SELECT string_agg(application_name || ' ' || state || ' ' || sync_state || ' ' || flush_lsn::text, '; ') FROM pg_stat_replication")}"
                    + $" durable {receiver.DurableLsn} received {receiver.ReceivedLsn} run {run.Status} {run.Exception?.Message}");

            // Every pgbench commit waits for pgark (synchronous_commit = on): 4 clients, 250 transactions each.
            string output = await RunAsync(pgbench, "-c", "4", "-j", "2", "-t", "250", "-n");
            Assert.Contains("number of transactions actually processed: 1000/1000", output);

            // Zero loss: every commit pgbench saw returned is in pgark's archive, as is each history row it inserted.
            Lsn committed = Lsn.Parse(await _cluster.ScalarAsync<string>(
                "SELECT flush_lsn::text FROM pg_stat_replication WHERE application_name = 'pgark_bench'"));
            Assert.True(receiver.DurableLsn >= committed, $"pgark durable {receiver.DurableLsn} is behind what the server saw flushed {committed}");
            Assert.Equal(1000L, await _cluster.ScalarAsync<long>("SELECT count(*) FROM pgbench_history"));
        }
        finally
        {
            _cluster.SetSettings(new Dictionary<string, string> { ["synchronous_standby_names"] = "" });
            await _cluster.ReloadAsync();
        }
        Lsn end = await harness.CurrentLsnAsync();
        await WalStreamHarness.WaitDurableAsync(receiver, run, end);
        await WalStreamHarness.StopAsync(run, stop);
        Assert.True(await harness.AssertArchiveMatchesServerAsync() >= 1);
        // Merging kept the segment in progress to a few objects although every commit group was its own flush.
        Assert.True(receiver.Counters.PartialsStored > 100, $"only {receiver.Counters.PartialsStored} flushes for 1000 synchronous commits");
        Assert.True(maxParts <= 7 * 6, $"{maxParts} pieces of one segment at once");
        await _cluster.ExecuteAsync("SELECT pg_drop_replication_slot('bench_slot')");
    }

    private async Task<string> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-h", LocalCluster.Host, "-p", _cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-U", _cluster.Superuser })
            start.ArgumentList.Add(arg);
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        start.ArgumentList.Add("postgres");
        start.Environment["PGPASSWORD"] = _cluster.Password;
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} failed: {await error}");
        return await output + await error;
    }
}
