using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Logical;
using Pgark.Repository.Storage;
using Pgark.Wire.Connection;

namespace Pgark.IntegrationTests.Logical;

/// <summary>
/// A wal_level=logical cluster with database "source" built from sql/objects.sql and sql/extras.sql, a repository in a
/// scratch directory, and one logical backup of "source" taken with 3 jobs (the replication-slot snapshot path).
/// </summary>
public sealed class LogicalFixture : ClusterFixture, IAsyncLifetime
{
    private string? _repositoryPath;

    protected override LocalClusterOptions Options => new() { Settings = new Dictionary<string, string> { ["wal_level"] = "logical" } };

    public Repository.Repository Repository { get; private set; } = null!;
    /// <summary>The repository's directory (for the CLI).</summary>
    public string RepositoryPath => _repositoryPath!;
    public LogicalBackupResult Backup { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await LoadDatabaseAsync(Cluster, "source", "objects.sql", "extras.sql", "security.sql", "largeobjects.sql", "kinds.sql");
        _repositoryPath = Directory.CreateTempSubdirectory("pgark-logical-repo-").FullName;
        Repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(_repositoryPath), new Pgark.Repository.RepositoryInitOptions());
        Backup = await LogicalBackup.RunAsync(Repository, new LogicalBackupOptions { Source = Settings(Cluster, "source"), Jobs = 3 });
    }

    // Re-implemented (the base method is not virtual) so the repository directory goes with the cluster.
    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (_repositoryPath is not null)
            Directory.Delete(_repositoryPath, recursive: true);
    }

    public static ConnectionSettings Settings(LocalCluster cluster, string database) => WireSessions.Settings(cluster.ConnInfo(database));

    public static async Task LoadDatabaseAsync(LocalCluster cluster, string database, params string[] sqlFiles)
    {
        await cluster.ExecuteAsync($"CREATE DATABASE {database}");
        await using var connection = new NpgsqlConnection(cluster.NpgsqlConnectionString(database));
        await connection.OpenAsync();
        foreach (string file in sqlFiles)
        {
            await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(SqlDirectory(), file)), connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static string SqlDirectory([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "sql");

    /// <summary>The text of one file of sql/.</summary>
    public static Task<string> SqlFileAsync(string name) => File.ReadAllTextAsync(Path.Combine(SqlDirectory(), name));

    /// <summary>
    /// pg_dump --schema-only --create (the database's own properties included) of one database, its name written as
    /// <paramref name="asName"/>, so a database restored under another name compares line for line with its source.
    /// </summary>
    public static async Task<string[]> PgDumpWithDatabaseAsync(LocalCluster cluster, string database, string asName) =>
        (await PgDumpAsync(cluster, database, "--schema-only", "--create"))
            .Select(line => Regex.Replace(line, $@"\b{Regex.Escape(database)}\b", asName)).ToArray();

    /// <summary>
    /// pg_dump (the test oracle) of one database, without comment lines, blank lines and the \restrict lines (a random key per run).
    /// </summary>
    public static Task<string[]> PgDumpAsync(LocalCluster cluster, string database, string section) =>
        PgDumpAsync(cluster, database, section, "--no-owner", "--no-privileges");

    /// <summary>pg_dump with these options (the other overload leaves ownership and privileges out).</summary>
    public static async Task<string[]> PgDumpAsync(LocalCluster cluster, string database, params string[] options)
    {
        var start = new ProcessStartInfo(Path.Combine(cluster.Installation.BinDirectory, "pg_dump"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in options.Concat(["-d", cluster.ConnInfo(database)]))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg_dump {string.Join(' ', options)} {database} failed: {error}");
        return (await output).Split('\n').Where(line => line.Length > 0 && !line.StartsWith("--", StringComparison.Ordinal)
            && !line.StartsWith("\\restrict ", StringComparison.Ordinal) && !line.StartsWith("\\unrestrict ", StringComparison.Ordinal)).ToArray();
    }
}
