using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Logical;
using Pgark.Logical.Restore;
using Pgark.Repository.Storage;

namespace Pgark.IntegrationTests.Logical;

/// <summary>
/// Restores that cross majors the wrong way, or meet a definition the target major no longer accepts, fail with an error
/// naming both versions (and the object), before anything is written in the first case.
/// </summary>
public sealed class LogicalVersionTests : IAsyncLifetime
{
    private string _root = null!;
    private Repository.Repository _repository = null!;

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("pgark-logical-version-").FullName;
        _repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(_root), new Pgark.Repository.RepositoryInitOptions());
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [PgMajorFact(13)]
    public async Task A_backup_restores_onto_an_older_major_only_with_a_clear_error_and_a_non_zero_exit()
    {
        await using var source = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 15 });
        await using var target = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 13 });
        await source.ExecuteAsync("CREATE DATABASE shop");
        await source.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 10)", "shop");
        var backup = await LogicalBackup.RunAsync(_repository, new LogicalBackupOptions { Source = LogicalFixture.Settings(source, "shop") });

        var run = await Pgark.IntegrationTests.Wal.CliHarness.RunAsync(["restore", "--kind", "logical", "--repo", _root,
            "--backup", backup.Snapshot.ShortId, "--db", target.ConnInfo("postgres"), "--create-db", "shop"]);

        Assert.True(run.ExitCode != 0, run.Out + run.Error);
        string targetVersion = await target.ScalarAsync<string>("SELECT current_setting('server_version_num')::int / 10000 || '.' || " +
            "current_setting('server_version_num')::int % 10000");
        Assert.Contains($"pgark: backup {backup.Snapshot.ShortId} was taken on PostgreSQL {backup.Manifest.ServerVersion} and the target server " +
            $"runs PostgreSQL {targetVersion}: a logical backup restores onto the same or a newer major version only", run.Error);
        Assert.Contains("hint: restore onto a PostgreSQL 15 or newer server", run.Error);
        Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_database WHERE datname = 'shop'"));
    }

    [PgMajorFact(13)]
    public async Task A_definition_the_newer_major_no_longer_accepts_fails_naming_the_object_and_both_versions()
    {
        // Postfix operators exist up to 13; 14 removed them.
        await using var source = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 13 });
        await using var target = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 15 });
        await source.ExecuteAsync("CREATE DATABASE maths");
        await source.ExecuteAsync("""
            CREATE FUNCTION public.factorial(integer) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT 1::numeric';
            CREATE OPERATOR public.!!! (LEFTARG = integer, FUNCTION = public.factorial);
            COMMENT ON OPERATOR public.!!! (integer, NONE) IS 'postfix';
            """, "maths");
        var backup = await LogicalBackup.RunAsync(_repository, new LogicalBackupOptions { Source = LogicalFixture.Settings(source, "maths") });
        var (_, objects) = await LogicalRestore.ListAsync(_repository, backup.Snapshot.ShortId);
        Assert.Equal("CREATE OPERATOR public.!!! (FUNCTION = public.factorial, LEFTARG = integer)", objects.Single(o => o.Kind == "operator").Sql);
        Assert.Equal("COMMENT ON OPERATOR public.!!! (integer, NONE) IS 'postfix'", objects.Single(o => o.Kind == "comment").Sql);

        var error = await Assert.ThrowsAsync<LogicalException>(() => LogicalRestore.RunAsync(_repository, new LogicalRestoreOptions
        {
            Target = LogicalFixture.Settings(target, "postgres"),
            SnapshotId = backup.Snapshot.ShortId,
            CreateDatabase = "maths",
        }));

        Assert.Equal("operator public.!!!", error.ObjectName);
        Assert.StartsWith("restoring operator public.!!! failed: ", error.Message);
        Assert.Contains("right argument type must be specified", error.Message);
        Assert.Matches(@"; hint: the backup was taken on PostgreSQL 13\.\d+ and the target runs 15\.\d+; if PostgreSQL 15 no longer accepts this " +
            @"definition, change the object on the source \(or after a restore onto PostgreSQL 13\) and take a new backup$", error.Message);
    }
}
