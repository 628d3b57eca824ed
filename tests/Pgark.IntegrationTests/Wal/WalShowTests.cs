using System.Globalization;
using System.Text.Json;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wal;

/// <summary>
/// The seeds' scenario on a real server: orders inserted, the time noted, <c>DELETE FROM orders</c> without WHERE, more
/// writes; WAL streamed into a repository; <c>pgark wal show</c> finds the delete with its xid and row count.
/// </summary>
public sealed class WalShowTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Wal_show_finds_the_delete_from_orders_with_its_xid_and_row_count()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        var (receiver, run, stop) = harness.Start(harness.Options("show_slot"));

        await _cluster.ExecuteAsync("DROP TABLE IF EXISTS orders; CREATE TABLE orders (id int PRIMARY KEY, customer text, amount numeric)");
        await _cluster.ExecuteAsync("INSERT INTO orders SELECT g, 'customer ' || g, g * 1.5 FROM generate_series(1, 1000) g");
        await harness.WriteLoadAsync(rounds: 3); // earlier history, on other segments
        uint ordersNode = (uint)await _cluster.ScalarAsync<long>("SELECT pg_relation_filenode('orders')::bigint");
        uint database = await _cluster.ScalarAsync<uint>("SELECT oid FROM pg_database WHERE datname = current_database()");
        string noted = await _cluster.ScalarAsync<string>("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'");
        Lsn before = await harness.CurrentLsnAsync();

        // The mistake: one statement, its xid and row count from the server itself.
        string answer = await _cluster.ScalarAsync<string>(
            "WITH d AS (DELETE FROM orders RETURNING 1) SELECT (pg_current_xact_id()::text::bigint % 4294967296)::text || ' ' || count(*) FROM d");
        uint xid = uint.Parse(answer.Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.Equal("1000", answer.Split(' ')[1]);
        Lsn after = await harness.CurrentLsnAsync();

        Lsn end = await harness.WriteLoadAsync(rounds: 3); // later writes
        await WalStreamHarness.WaitDurableAsync(receiver, run, end);
        await WalStreamHarness.StopAsync(run, stop);

        // By time, as a user who noted the clock would ask; names resolved through --db.
        var byTime = await CliHarness.RunAsync(["wal", "show", "--repo", harness.Directory, "--around", noted, "--window", "1m", "--json",
            "--db", _cluster.ConnInfo()]);
        Assert.True(byTime.ExitCode == 0, byTime.Error);
        using JsonDocument json = JsonDocument.Parse(byTime.Out);
        JsonElement delete = json.RootElement.GetProperty("transactions").EnumerateArray().Single(t => t.GetProperty("xid").GetUInt32() == xid);
        Assert.Equal("COMMIT", delete.GetProperty("kind").GetString());
        Lsn commitLsn = Lsn.Parse(delete.GetProperty("lsn").GetString()!);
        Assert.InRange(commitLsn.Value, before.Value, after.Value);
        Assert.Contains(database, delete.GetProperty("databases").EnumerateArray().Select(d => d.GetUInt32()));
        JsonElement orders = delete.GetProperty("relations").EnumerateArray().Single(r => r.GetProperty("relfilenode").GetUInt32() == ordersNode);
        Assert.Equal((database, "public.orders", "Heap", 1000L, 0L, 0L),
            (orders.GetProperty("database").GetUInt32(), orders.GetProperty("name").GetString(), orders.GetProperty("rmgr").GetString(),
                orders.GetProperty("deleted").GetInt64(), orders.GetProperty("inserted").GetInt64(), orders.GetProperty("updated").GetInt64()));
        Assert.True(json.RootElement.GetProperty("probes").GetInt32() >= 1);

        // By LSN range, in text: the same transaction, and only what lies in the range.
        var byLsn = await CliHarness.RunAsync(["wal", "show", "--repo", harness.Directory, "--from", before.ToString(), "--to", after.ToString()]);
        Assert.True(byLsn.ExitCode == 0, byLsn.Error);
        string line = byLsn.Out.Split('\n').Single(l => l.Contains($"  xid {xid}  ", StringComparison.Ordinal));
        Assert.Contains($"COMMIT  xid {xid}  lsn {commitLsn}", line);
        Assert.Contains($"    {database}/{ordersNode}: deleted 1000\n", byLsn.Out);
        await _cluster.ExecuteAsync("SELECT pg_drop_replication_slot('show_slot')");
    }
}
