using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Repository;
using Pgark.Repository.Storage;

namespace Pgark.IntegrationTests.Wal;

/// <summary>
/// A real server in archive recovery with restore_command = 'pgark wal get …': an archive pgark cannot read must stop
/// recovery (the server does not start, and above all does not promote), while an archive that simply has no more WAL
/// ends recovery and promotes, as PostgreSQL intends. The second case shows the first assertion could fail.
/// </summary>
public sealed class RestoreCommandRecoveryTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _primary = fixture.Cluster;

    /// <summary>A base backup of the primary set up for archive recovery (recovery.signal) with the given repository.</summary>
    private async Task<LocalCluster> RecoveringCopyAsync(string repository)
    {
        await _primary.ExecuteAsync("CREATE TABLE IF NOT EXISTS before_backup AS SELECT 1 AS one");
        string copy = Path.Combine("/tmp", $"pgark-recovering-{Guid.NewGuid():N}");
        Os.Run(Path.Combine(_primary.Installation.BinDirectory, "pg_basebackup"), "-h", _primary.SocketDirectory,
            "-p", _primary.Port.ToString(), "-U", _primary.Superuser, "-D", copy, "-X", "stream", "--no-sync");
        await File.WriteAllTextAsync(Path.Combine(copy, "recovery.signal"), "");
        LocalCluster recovering = LocalCluster.Adopt(copy);
        string pgark = Path.Combine(AppContext.BaseDirectory, "Pgark.Cli.dll");
        Assert.True(File.Exists(pgark), $"{pgark} is copied next to the tests by the project reference");
        recovering.SetSettings(new Dictionary<string, string>
        {
            ["restore_command"] = $"dotnet {pgark} wal get --repo {repository} %f %p",
            ["archive_mode"] = "off",
        });
        return recovering;
    }

    private string ControlField(LocalCluster cluster, string field)
        => Os.Run(Path.Combine(_primary.Installation.BinDirectory, "pg_controldata"), "-D", cluster.DataDirectory)
            .Split('\n').Single(line => line.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(':', 2)[1].Trim();

    /// <summary>What the end of archive recovery leaves behind: recovery.signal removed, the new timeline's history file.</summary>
    private static bool Promoted(LocalCluster cluster)
        => !File.Exists(Path.Combine(cluster.DataDirectory, "recovery.signal"))
           && File.Exists(Path.Combine(cluster.DataDirectory, "pg_wal", "00000002.history"));

    [Fact]
    public async Task An_unreachable_repository_stops_recovery_instead_of_promoting()
    {
        string missing = Path.Combine("/tmp", $"pgark-no-repo-{Guid.NewGuid():N}");
        await using LocalCluster recovering = await RecoveringCopyAsync(missing);

        var failed = await Assert.ThrowsAsync<LocalClusterException>(() => recovering.StartAsync());

        // PostgreSQL asked for a file, pgark explained why it could not answer and exited 126 (which wait_result_to_str
        // renders as "command not executable"), and the startup process stopped with FATAL.
        Assert.Contains($"pgark: no pgark repository at '{missing}': the directory does not exist\n", failed.Message);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(failed.Message,
            "FATAL: +could not restore file \"[0-9A-F]{8}[.0-9A-Za-z]*\" from archive: command not executable\n"), failed.Message);
        Assert.Contains("shutting down due to startup process failure", failed.Message);
        Assert.False(recovering.IsRunning);
        // Not promoted: recovery.signal is still there and no new timeline was chosen (the promoting case below shows
        // both change when recovery ends), and the control file still names timeline 1.
        Assert.False(Promoted(recovering));
        Assert.Equal("1", ControlField(recovering, "Latest checkpoint's TimeLineID"));
    }

    [Fact]
    public async Task A_readable_repository_without_the_file_ends_recovery_and_promotes()
    {
        string empty = Path.Combine("/tmp", $"pgark-empty-repo-{Guid.NewGuid():N}");
        await Pgark.Repository.Repository.InitAsync(new LocalStore(empty), new RepositoryInitOptions());
        Os.Run("chown", "-R", _primary.ServerUser, empty);
        try
        {
            await using LocalCluster recovering = await RecoveringCopyAsync(empty);
            await recovering.StartAsync();
            // Exit 1 ("not in the archive") is the end of archived WAL: the server promotes onto timeline 2.
            Assert.True(SpinWait.SpinUntil(() => !InRecovery(recovering), TimeSpan.FromSeconds(60)), "the copy did not finish recovery");
            Assert.Equal("00000002", await recovering.ScalarAsync<string>("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"));
            Assert.True(Promoted(recovering));
            Assert.Equal(1, await recovering.ScalarAsync<int>("SELECT one FROM before_backup"));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    private static bool InRecovery(LocalCluster cluster)
        => cluster.ScalarAsync<bool>("SELECT pg_is_in_recovery()").GetAwaiter().GetResult();
}
