using System.Diagnostics;
using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wal;

/// <summary>pgark as a synchronous standby: a commit returns only once pgark has stored it.</summary>
public sealed class WalSynchronousTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task A_synchronous_commit_returns_only_after_pgark_stored_it()
    {
        await using var harness = await WalStreamHarness.CreateAsync(_cluster);
        WalReceiverOptions options = harness.Options("sync_slot") with { Synchronous = true, StatusInterval = TimeSpan.FromSeconds(30) };
        options = options with { Connection = options.Connection with { ApplicationName = "pgark_sync" } };
        var (receiver, run, stop) = harness.Start(options);
        _cluster.SetSettings(new Dictionary<string, string> { ["synchronous_standby_names"] = "pgark_sync" });
        await _cluster.ReloadAsync();
        try
        {
            await WaitUntilAsync(async () => await _cluster.ScalarAsync<string?>(
                "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'pgark_sync'") == "sync", run);

            await using var connection = new NpgsqlConnection(_cluster.NpgsqlConnectionString());
            await connection.OpenAsync();
            await new NpgsqlCommand("CREATE TABLE IF NOT EXISTS sync_t (n int)", connection).ExecuteNonQueryAsync();
            var latency = new List<double>();
            for (int i = 0; i < 20; i++)
            {
                await using var transaction = await connection.BeginTransactionAsync();
                await new NpgsqlCommand($"INSERT INTO sync_t VALUES ({i})", connection, transaction).ExecuteNonQueryAsync();
                var before = Lsn.Parse((string)(await new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()::text", connection, transaction).ExecuteScalarAsync())!);
                long started = Stopwatch.GetTimestamp();
                await transaction.CommitAsync();
                Lsn durable = receiver.DurableLsn;
                latency.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                // The commit record follows everything inserted before it: pgark must hold past it when COMMIT returns.
                Assert.True(durable > before, $"commit {i} returned with pgark durable at {durable}, not past {before}");
            }
            Console.WriteLine($"synchronous commit latency with pgark as standby: median {latency.Order().ElementAt(latency.Count / 2):0.0} ms");
        }
        finally
        {
            _cluster.SetSettings(new Dictionary<string, string> { ["synchronous_standby_names"] = "" });
            await _cluster.ReloadAsync();
            await WalStreamHarness.StopAsync(run, stop);
            await _cluster.ExecuteAsync("SELECT pg_drop_replication_slot('sync_slot')");
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Task run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (run.IsCompleted)
                await run;
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 60 s");
            await Task.Delay(50);
        }
    }
}
