using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wal;

/// <summary>
/// The repository's disk fills while wal stream runs: the streamer stops with a clear error, the server is never told
/// that bytes the repository does not hold are flushed (so the slot keeps them), and the repository stays consistent.
/// </summary>
public sealed class WalDiskFullTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [TmpfsFact]
    public async Task A_full_repository_stops_the_streamer_and_nothing_unstored_is_acknowledged()
    {
        using TmpfsFactAttribute.Tmpfs tmpfs = TmpfsFactAttribute.Mount(4);
        string mount = tmpfs.Directory;
        using var stop = new CancellationTokenSource();
        Task? run = null;
        try
        {
            string directory = Path.Combine(mount, "repo");
            var repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(directory), new RepositoryInitOptions());
            var store = new WalStore(repository, await WalStreamHarness.SystemIdentifierAsync(_cluster));
            var receiver = new WalReceiver(repository, new WalReceiverOptions
            {
                Connection = ConnectionSettings.Parse(_cluster.ConnInfo(), ReplicationMode.Physical),
                SlotName = "diskfull_slot",
                CreateSlot = true,
                StatusInterval = TimeSpan.FromMilliseconds(200),
                InitialBackoff = TimeSpan.FromMilliseconds(50),
                MaxBackoff = TimeSpan.FromSeconds(1),
            });
            run = Task.Run(() => receiver.RunAsync(stop.Token));

            // Random text (hex: compresses to about half) until the repository is full and the streamer stops, at most
            // 100 MB of it: the growing segment's partials, then whole segments, stop fitting into 4 MB.
            await _cluster.ExecuteAsync("CREATE TABLE IF NOT EXISTS noise (id bigserial, payload text)");
            for (int round = 0; round < 200 && !run.IsCompleted; round++)
            {
                await _cluster.ExecuteAsync("INSERT INTO noise (payload) SELECT (SELECT string_agg(md5(random()::text || g || i), '') "
                    + "FROM generate_series(1, 8) i) FROM generate_series(1, 2000) g");
            }
            var failure = await Assert.ThrowsAsync<WalStreamException>(() => run.WaitAsync(TimeSpan.FromMinutes(2)));

            Assert.True(failure.InRepository);
            Assert.StartsWith("could not store WAL in the repository: ", failure.Message);
            Assert.Contains("No space left on device", failure.Message);
            Assert.Contains($"WAL before {receiver.DurableLsn} on timeline 1 is stored", failure.Message);

            // What the server was told is flushed (the slot's restart_lsn) is what the repository holds, never more.
            List<WalSegmentObject> stored = (await store.ListAsync()).Where(o => o.IsSegment).ToList();
            Lsn held = stored.Count == 0 ? Lsn.Invalid : stored.Max(o => o.EndLsn(16 << 20));
            Lsn slot = Lsn.Parse(await _cluster.ScalarAsync<string>(
                "SELECT coalesce(restart_lsn, '0/0')::text FROM pg_replication_slots WHERE slot_name = 'diskfull_slot'"));
            Assert.True(slot <= receiver.DurableLsn, $"the slot is at {slot}, past pgark's durable {receiver.DurableLsn}");
            Assert.True(receiver.DurableLsn <= held, $"pgark's durable {receiver.DurableLsn} is past what the repository holds ({held})");
            foreach (WalSegmentObject segment in stored)
                Assert.Equal(segment.ValidLength, (await store.ReadAsync(segment)).Length); // every object reads back whole

            var check = await CliHarness.RunAsync(["check", "--repo", directory, "--read-data"]);
            Assert.True(check.ExitCode == 0, check.Out + check.Error);
        }
        finally
        {
            // The receiver is done before its slot is dropped and its filesystem unmounted. Its outcome was asserted above;
            // when an assertion failed first, that failure is the one to report, not what the cancelled receiver threw.
            await stop.CancelAsync();
            if (run is not null)
            {
                try
                {
                    await run.WaitAsync(TimeSpan.FromMinutes(1));
                }
                catch (Exception)
                {
                }
            }
            // It ended by closing its connection: its walsender may not have released the slot yet.
            await WalStreamHarness.DropSlotAsync(_cluster, "diskfull_slot");
        }
    }
}
