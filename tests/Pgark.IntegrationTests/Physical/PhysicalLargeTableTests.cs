using System.Diagnostics;
using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.IntegrationTests.Wal;

namespace Pgark.IntegrationTests.Physical;

/// <summary>
/// A table larger than 1 GiB, which PostgreSQL keeps in 1 GiB segment files (relfilenode, relfilenode.1): backed up,
/// restored, started and compared on a real PostgreSQL 15. Slow for the suite (~20 s alone on the 2-core machine, and
/// 2.5 GiB of disk), so scripts/test.sh runs it only with PGARK_SLOW=1.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PhysicalLargeTableTests
{
    private const long SegmentBytes = 1L << 30;

    /// <summary>
    /// One row per 8 KiB page, made quickly: fillfactor 10 leaves a page to a single 800-byte row (the row is too big for
    /// the 10% a page may fill, and a new page always takes one), so 140 000 rows are 140 000 pages, 1.07 GiB, with only
    /// ~120 MiB of WAL. The row is 25 distinct md5s, so no two pages are alike and each compresses only ~2x: the repository
    /// holds real data across several packs. A permanent, logged table: an unlogged one would be restored empty, proving nothing.
    /// </summary>
    private const string CreateTable = """
        CREATE TABLE big (id int NOT NULL, filler text NOT NULL) WITH (fillfactor = 10, autovacuum_enabled = off);
        INSERT INTO big SELECT g, (SELECT string_agg(md5(g::text || '.' || i::text), '') FROM generate_series(1, 25) i)
          FROM generate_series(1, 140000) g;
        CHECKPOINT;
        """;

    private const string Contents = "SELECT count(*)::text || ' ' || md5(string_agg(md5(id::text || filler), '' ORDER BY id)) FROM big";

    [PgMajorFact(15)]
    public async Task A_table_over_one_GiB_restores_with_every_segment_file_and_the_same_rows()
    {
        var clock = Stopwatch.StartNew();
        using var bed = new PhysicalTestBed();
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 15 });
        await ExecuteAsync(cluster, CreateTable);
        string relation = await cluster.ScalarAsync<string>("SELECT pg_relation_filepath('big')");
        long[] segments = SegmentSizes(cluster.DataDirectory, relation);
        Assert.True(segments.Length >= 2 && segments[0] == SegmentBytes,
            $"the table should span two segment files, it has {string.Join(", ", segments)} bytes");
        string before = await ScalarAsync(cluster, Contents);

        var repository = await bed.InitRepositoryAsync();
        var backup = await PhysicalTestBed.BackupAsync(repository, cluster);
        string target = bed.NewDirectory("pgark-restore-big-");
        await PhysicalTestBed.Restorer(repository, target, force: true).RunAsync(backup.Snapshot);

        // Every segment file is back, at its size; the restored server holds the same rows.
        Assert.Equal(segments, SegmentSizes(target, relation));
        await using (LocalCluster copy = LocalCluster.Adopt(target, new LocalClusterOptions { KeepDirectory = true, BinDirectory = cluster.Installation.BinDirectory }))
        {
            await copy.StartAsync();
            Assert.Equal(before, await ScalarAsync(copy, Contents));
        }

        // And the repository reads back clean, every chunk decoded and re-hashed.
        var check = await CliHarness.RunAsync(["check", "--read-data", "--repo", bed.RepositoryDirectory]);
        Assert.Equal((0, ""), (check.ExitCode, check.Error));
        Assert.EndsWith(": 0 error(s), 0 warning(s)\n", check.Out.ReplaceLineEndings("\n"));
        Console.WriteLine($"large-table round trip: {backup.ReceivedBytes >> 20} MiB received, {backup.StoredBytes >> 20} MiB stored, "
            + $"{clock.Elapsed.TotalSeconds:0} s in all");
    }

    /// <summary>Sizes of the relation's main-fork segments: relfilenode, relfilenode.1, … up to the first missing one.</summary>
    private static long[] SegmentSizes(string dataDirectory, string relation)
    {
        var sizes = new List<long>();
        for (var segment = 0; ; segment++)
        {
            var file = new FileInfo(Path.Combine(dataDirectory, segment == 0 ? relation : $"{relation}.{segment}"));
            if (!file.Exists)
                return [.. sizes];
            sizes.Add(file.Length);
        }
    }

    /// <summary>Without Npgsql's 30 s command timeout: filling or digesting a GiB may take longer on a busy machine.</summary>
    private static async Task<NpgsqlConnection> OpenAsync(LocalCluster cluster)
    {
        var connection = new NpgsqlConnection(cluster.NpgsqlConnectionString("postgres") + ";Command Timeout=0");
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(LocalCluster cluster, string sql)
    {
        await using var connection = await OpenAsync(cluster);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> ScalarAsync(LocalCluster cluster, string sql)
    {
        await using var connection = await OpenAsync(cluster);
        return await connection.ScalarAsync<string>(sql);
    }
}
