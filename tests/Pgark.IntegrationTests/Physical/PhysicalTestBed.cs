using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Physical;
using Pgark.Physical.Restore;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wire.Connection;

namespace Pgark.IntegrationTests.Physical;

/// <summary>Shared steps of the physical tests: a repository in a temp directory, workload, backup, restore, compare.</summary>
internal sealed class PhysicalTestBed : IDisposable
{
    private readonly List<string> _directories = [];

    public PhysicalTestBed()
    {
        RepositoryDirectory = NewDirectory("pgark-repo-");
    }

    public string RepositoryDirectory { get; }

    public async Task<Repository.Repository> InitRepositoryAsync()
        => await Repository.Repository.InitAsync(new LocalStore(RepositoryDirectory), new RepositoryInitOptions());

    public async Task<Repository.Repository> OpenRepositoryAsync()
        => await Repository.Repository.OpenAsync(new LocalStore(RepositoryDirectory));

    public static ConnectionSettings Replication(LocalCluster cluster)
        => ConnectionSettings.Parse(cluster.ConnInfo(), ReplicationMode.Physical);

    public static Task<PhysicalBackupResult> BackupAsync(Repository.Repository repository, LocalCluster cluster,
        PhysicalBackupOptions? options = null, CancellationToken cancellationToken = default)
        => new PhysicalBackup(repository, Replication(cluster), options).RunAsync(cancellationToken);

    public string NewDirectory(string prefix)
    {
        string path = Path.Combine("/tmp", prefix + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(path);
        _directories.Add(path);
        return path;
    }

    /// <summary>Creates databases with pgbench-like tables, an index, and an unlogged table.</summary>
    public static async Task LoadWorkloadAsync(LocalCluster cluster, string[] databases, int rows)
    {
        foreach (string database in databases)
        {
            await cluster.ExecuteAsync($"CREATE DATABASE {database}");
            await cluster.ExecuteAsync($"""
                CREATE TABLE accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
                INSERT INTO accounts SELECT g, g % 10, 0, md5(g::text) FROM generate_series(1, {rows}) g;
                CREATE TABLE history (tid int, aid int, delta int, mtime timestamptz, note text);
                INSERT INTO history SELECT g % 100, g, g % 5000, '2026-01-01'::timestamptz + g * interval '1 s', repeat('h', g % 200)
                  FROM generate_series(1, {rows / 2}) g;
                CREATE UNLOGGED TABLE scratch AS SELECT g AS id FROM generate_series(1, 1000) g;
                CHECKPOINT;
                """, database);
        }
    }

    /// <summary>md5 of every user table's rows in primary-key/ctid-independent order, per database.</summary>
    public static async Task<Dictionary<string, string>> FingerprintAsync(LocalCluster cluster, string[] databases)
    {
        var result = new Dictionary<string, string>();
        foreach (string database in databases)
        {
            await using var connection = new NpgsqlConnection(cluster.NpgsqlConnectionString(database));
            await connection.OpenAsync();
            foreach (string table in new[] { "accounts", "history" })
            {
                string md5 = await connection.ScalarAsync<string>(
                    $"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t");
                result[$"{database}.{table}"] = md5;
            }
        }
        return result;
    }

    public static PhysicalRestore Restorer(Repository.Repository repository, string target, bool force = false)
        => new(repository, new PhysicalRestoreOptions { TargetDirectory = target, Force = force });

    public void Dispose()
    {
        foreach (string directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
