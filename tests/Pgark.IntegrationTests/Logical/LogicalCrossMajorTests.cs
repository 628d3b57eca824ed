using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Logical;
using Pgark.Logical.Restore;
using Pgark.Repository.Storage;

namespace Pgark.IntegrationTests.Logical;

/// <summary>
/// A backup of a PostgreSQL 15 database restores onto PostgreSQL 17 (COPY text is portable across majors). The
/// installed newer majors are bare server binaries (no plpgsql, no contrib), so only sql/objects.sql is used.
/// </summary>
public sealed class LogicalCrossMajorTests
{
    private static readonly string[] s_catalogCounts =
    [
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('shop', 'Mixed Case')",
        "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'shop' AND c.contype <> 'n'",
        "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'shop'",
        "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'shop'",
        "SELECT count(*) FROM pg_policy",
        "SELECT count(*) FROM pg_description d WHERE d.objoid >= 16384",
    ];

    [PgMajorFact(17)]
    public async Task A_postgresql_15_backup_restores_onto_17_with_every_row_verified()
    {
        await using var source = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 15 });
        await using var target = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 17 });
        await LogicalFixture.LoadDatabaseAsync(source, "core", "objects.sql");
        string root = Directory.CreateTempSubdirectory("pgark-logical-major-").FullName;
        try
        {
            var repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(root), new Pgark.Repository.RepositoryInitOptions());
            var backup = await LogicalBackup.RunAsync(repository, new LogicalBackupOptions { Source = LogicalFixture.Settings(source, "core") });

            var result = await LogicalRestore.RunAsync(repository, new LogicalRestoreOptions
            {
                Target = LogicalFixture.Settings(target, "postgres"),
                SnapshotId = backup.Snapshot.ShortId,
                CreateDatabase = "core",
                Jobs = 2,
                ReadBack = true,
            });

            // Every table read back on 17 with the rows and row-set digests recorded on 15.
            Assert.Equal(backup.Manifest.Tables.Count, result.TablesVerified);
            Assert.Equal(backup.Manifest.Tables.Count, result.TablesReadBack);
            Assert.StartsWith("17", await target.ScalarAsync<string>("SHOW server_version", "core"));
            foreach (string count in s_catalogCounts)
                Assert.Equal(await source.ScalarAsync<long>(count, "core"), await target.ScalarAsync<long>(count, "core"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
