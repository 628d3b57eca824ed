using System.Diagnostics;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wal;

/// <summary>A repository in a scratch directory and receivers streaming a cluster into it.</summary>
public sealed class WalStreamHarness : IAsyncDisposable
{
    private readonly List<(CancellationTokenSource Stop, Task Run)> _running = [];

    private WalStreamHarness(LocalCluster cluster, string directory, Pgark.Repository.Repository repository, ulong systemIdentifier)
    {
        Cluster = cluster;
        Directory = directory;
        Repository = repository;
        Store = new WalStore(repository, systemIdentifier);
    }

    public LocalCluster Cluster { get; }
    public string Directory { get; }
    public Pgark.Repository.Repository Repository { get; }
    public WalStore Store { get; }

    public static async Task<WalStreamHarness> CreateAsync(LocalCluster cluster)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"pgark-walrepo-{Guid.NewGuid():N}");
        var repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(directory), new RepositoryInitOptions());
        return new WalStreamHarness(cluster, directory, repository, await SystemIdentifierAsync(cluster));
    }

    /// <summary>pg_control's system identifier: the cluster whose WAL directory the streamer writes (repository-format.md §8.2).</summary>
    public static async Task<ulong> SystemIdentifierAsync(LocalCluster cluster)
        => ulong.Parse(await cluster.ScalarAsync<string>("SELECT system_identifier::text FROM pg_control_system()"), System.Globalization.CultureInfo.InvariantCulture);

    public WalReceiverOptions Options(string slot, bool createSlot = true, string? user = null, string? password = null) => new()
    {
        Connection = ConnectionSettings.Parse(Cluster.ConnInfo(user: user, password: password), ReplicationMode.Physical),
        SlotName = slot,
        CreateSlot = createSlot,
        StatusInterval = TimeSpan.FromMilliseconds(200),
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromSeconds(1),
    };

    /// <summary>Starts a receiver in the background; <see cref="StopAsync"/> cancels it as SIGINT would.</summary>
    public (WalReceiver Receiver, Task Run, CancellationTokenSource Stop) Start(WalReceiverOptions options)
    {
        var receiver = new WalReceiver(Repository, options);
        var stop = new CancellationTokenSource();
        Task run = Task.Run(() => receiver.RunAsync(stop.Token));
        _running.Add((stop, run));
        return (receiver, run, stop);
    }

    public static async Task StopAsync(Task run, CancellationTokenSource stop)
    {
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    /// <summary>Waits until everything before <paramref name="target"/> is durable, failing early if the receiver fails.</summary>
    public static async Task WaitDurableAsync(WalReceiver receiver, Task run, Lsn target, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(90));
        var advanced = new SemaphoreSlim(0);
        receiver.DurableAdvanced += _ => advanced.Release();
        while (receiver.DurableLsn < target)
        {
            if (run.IsCompleted)
                await run; // surfaces the receiver's exception
            Assert.True(DateTime.UtcNow < until, $"pgark's durable position {receiver.DurableLsn} did not reach {target} in time");
            await advanced.WaitAsync(TimeSpan.FromMilliseconds(100));
        }
    }

    public async Task<Lsn> CurrentLsnAsync() => Lsn.Parse(await Cluster.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text"));

    /// <summary>Writes WAL: inserts in a loop and switches segments, returning the position after the last write.</summary>
    public Task<Lsn> WriteLoadAsync(int rounds, int rowsPerRound = 2000, bool switchSegments = true)
        => WriteLoadOnAsync(Cluster, rounds, rowsPerRound, switchSegments);

    public static async Task<Lsn> WriteLoadOnAsync(LocalCluster cluster, int rounds, int rowsPerRound = 2000, bool switchSegments = true)
    {
        await cluster.ExecuteAsync("CREATE TABLE IF NOT EXISTS load (id bigserial PRIMARY KEY, payload text)");
        for (int i = 0; i < rounds; i++)
        {
            await cluster.ExecuteAsync($"INSERT INTO load (payload) SELECT md5(g::text) || repeat('x', 200) FROM generate_series(1, {rowsPerRound}) g");
            if (switchSegments && i % 3 == 2)
                await cluster.ExecuteAsync("SELECT pg_switch_wal()");
        }
        return Lsn.Parse(await cluster.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text"));
    }

    /// <summary>
    /// Asserts the archive: every segment from the first to the last present exactly once as a full object (the last
    /// may be a partial), each byte-identical to the server's own file in pg_wal when the server still has it.
    /// Returns how many segments were compared with pg_wal.
    /// </summary>
    public async Task<int> AssertArchiveMatchesServerAsync(int segmentSize = 16 << 20)
    {
        List<WalSegmentObject> objects = (await Store.ListAsync()).Where(o => o.IsSegment).ToList();
        Assert.NotEmpty(objects);
        var full = objects.Where(o => o.Kind == WalKind.Full).ToList();
        Assert.Equal(full.Count, full.Select(o => (o.Timeline, o.SegmentNumber)).Distinct().Count());
        for (int i = 1; i < full.Count; i++)
        {
            if (full[i].Timeline == full[i - 1].Timeline)
                Assert.True(full[i].SegmentNumber == full[i - 1].SegmentNumber + 1, $"gap or duplicate between {full[i - 1].WalFileName} and {full[i].WalFileName}");
        }
        int compared = 0;
        foreach (WalSegmentObject segment in objects)
        {
            string serverFile = Path.Combine(Cluster.DataDirectory, "pg_wal", segment.WalFileName);
            if (!File.Exists(serverFile))
                continue;
            byte[] stored = await Store.ReadAsync(segment);
            byte[] server = await File.ReadAllBytesAsync(serverFile);
            Assert.Equal(segmentSize, server.Length);
            Assert.True(server.AsSpan(0, stored.Length).SequenceEqual(stored),
                $"{segment.Kind} {segment.WalFileName} ({stored.Length} bytes) differs from the server's copy");
            compared++;
        }
        // Each partial only for a segment with no full object, and at most one per segment.
        foreach (var partial in objects.Where(o => o.Kind == WalKind.Partial))
            Assert.DoesNotContain(full, f => f.Timeline == partial.Timeline && f.SegmentNumber == partial.SegmentNumber);
        Assert.Equal(objects.Count(o => o.Kind == WalKind.Partial),
            objects.Where(o => o.Kind == WalKind.Partial).Select(o => (o.Timeline, o.SegmentNumber)).Distinct().Count());
        return compared;
    }

    /// <summary>A <c>pgark wal stream</c> process (the built CLI) on this harness's repository through <paramref name="slot"/>.</summary>
    public Process StartCliStreamer(string slot)
    {
        string pgark = Path.Combine(AppContext.BaseDirectory, "Pgark.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { pgark, "wal", "stream", "--repo", Directory, "--db", Cluster.ConnInfo(), "--slot", slot, "--create-slot" })
            start.ArgumentList.Add(arg);
        start.Environment["HOME"] = "/nonexistent-pgark-home";
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The slot's restart_lsn: how far the server knows the streamer stored (Invalid before the slot exists).</summary>
    public async Task<Lsn> SlotFlushAsync(string slot)
        => await Cluster.ScalarAsync<string?>($"SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = '{slot}'") is { } text
            ? Lsn.Parse(text) : Lsn.Invalid;

    /// <summary>
    /// Drops <paramref name="slot"/>, if it exists, once no walsender holds it. A receiver that ends by closing its connection
    /// (a failure, a kill) leaves its walsender to notice and exit on the server's time, and until then the drop fails with
    /// "replication slot ... is active for PID ...". A clean stop needs no wait: the server releases the slot before it ends
    /// the replication command.
    /// </summary>
    public static async Task DropSlotAsync(LocalCluster cluster, string slot)
    {
        await WaitUntilAsync(async () => !await cluster.ScalarAsync<bool>(
                $"SELECT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = '{slot}' AND active)"), streamer: null,
            async () => $"slot {slot} is still held by walsender " + await cluster.ScalarAsync<string>(
                $"SELECT coalesce(string_agg(active_pid::text, ','), 'none') FROM pg_replication_slots WHERE slot_name = '{slot}'"));
        await cluster.ExecuteAsync($"SELECT pg_drop_replication_slot('{slot}') FROM pg_replication_slots WHERE slot_name = '{slot}'");
    }

    /// <summary>Polls <paramref name="condition"/> for up to 90 s, failing at once when the streamer process exits.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, Process? streamer, Func<Task<string>>? describe = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await condition())
        {
            Assert.False(streamer is { HasExited: true }, "the streamer exited");
            if (DateTime.UtcNow >= deadline)
                Assert.Fail($"condition not met within 90 s{(describe is null ? "" : ": " + await describe())}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach ((CancellationTokenSource stop, Task run) in _running)
        {
            await stop.CancelAsync();
            try
            {
                await run;
            }
            catch (Exception)
            {
                // The test asserted what it needed; teardown only has to stop the receiver.
            }
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
