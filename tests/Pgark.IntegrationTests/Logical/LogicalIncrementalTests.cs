using Pgark.IntegrationTests.Infrastructure;
using Pgark.Logical;
using Pgark.Repository.Storage;

namespace Pgark.IntegrationTests.Logical;

/// <summary>A second logical backup stores only what changed: content-defined chunks of unchanged rows deduplicate.</summary>
public sealed class LogicalIncrementalTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task After_one_percent_of_rows_change_the_second_backup_stores_a_small_fraction_of_the_first()
    {
        var cluster = fixture.Cluster;
        await cluster.ExecuteAsync("CREATE DATABASE bulk");
        await cluster.ExecuteAsync("""
            CREATE TABLE events (id bigint PRIMARY KEY, kind text, payload text, at timestamptz);
            INSERT INTO events SELECT g, 'kind ' || (g % 17), md5(g::text) || repeat('x', g % 40), '2024-01-01'::timestamptz + g * interval '1 second'
            FROM generate_series(1, 300000) g;
            """, "bulk");
        string root = Directory.CreateTempSubdirectory("pgark-logical-incr-").FullName;
        try
        {
            var repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(root), new Pgark.Repository.RepositoryInitOptions());
            var options = new LogicalBackupOptions { Source = LogicalFixture.Settings(cluster, "bulk"), Jobs = 2 };
            var first = await LogicalBackup.RunAsync(repository, options);

            // 1% of the rows (a contiguous range: they move to the end of the heap) change.
            await cluster.ExecuteAsync("UPDATE events SET kind = 'changed' WHERE id BETWEEN 150001 AND 153000", "bulk");
            var second = await LogicalBackup.RunAsync(repository, options);

            Assert.Equal(300_000, second.Manifest.Tables.Single().Rows);
            Assert.NotEqual(first.Manifest.Tables.Single().Blake3, second.Manifest.Tables.Single().Blake3);
            Assert.True(first.StoredBytes > 1_000_000, $"first backup stored only {first.StoredBytes} bytes");
            // The goal: at most 5%. Measured 2.8% (234,862 of 8,524,856 bytes): 2 new chunks where the updated range left a
            // gap, 3 at the end where the new row versions went, the other 183 deduplicated. The fixed part (about 3 average chunks
            // per changed region) is why a smaller table misses the goal (a 5 MB COPY text would need ~9%).
            Assert.True(second.StoredBytes * 20 <= first.StoredBytes,
                $"second backup stored {second.StoredBytes} bytes, first {first.StoredBytes}: expected at most 5%");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
