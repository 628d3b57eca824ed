using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Drill;

/// <summary>
/// A wal_level=logical cluster (so physical backups record exact row counts) with database "shop": a table with a
/// primary key and a TOASTed column, a plain table, a partitioned table, and an unlogged table (empty after recovery,
/// so never counted).
/// </summary>
public sealed class DrillFixture : ClusterFixture
{
    public const string Database = "shop";

    protected override LocalClusterOptions Options => new() { Settings = new Dictionary<string, string> { ["wal_level"] = "logical" } };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Cluster.ExecuteAsync($"CREATE DATABASE {Database}");
        await Cluster.ExecuteAsync("""
            CREATE TABLE orders (id bigserial PRIMARY KEY, customer int NOT NULL, note text);
            INSERT INTO orders (customer, note) SELECT g % 500, repeat(md5(g::text), 1 + g % 3) FROM generate_series(1, 30000) g;
            UPDATE orders SET note = repeat(md5(id::text), 400) WHERE id % 1000 = 0; -- TOASTed values
            CREATE TABLE customers (id int PRIMARY KEY, name text);
            INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 500) g;
            CREATE TABLE events (at date NOT NULL, what text) PARTITION BY RANGE (at);
            CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
            INSERT INTO events SELECT '2026-01-01'::date + g % 700, 'e' || g FROM generate_series(1, 2000) g;
            CREATE UNLOGGED TABLE scratch AS SELECT g AS id FROM generate_series(1, 100) g;
            CHECKPOINT;
            """, Database);
    }
}
