using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Physical.Restore;

namespace Pgark.IntegrationTests.Physical;

/// <summary>A user tablespace travels as its own archive and comes back at a remapped location behind a pg_tblspc symlink.</summary>
public sealed class PhysicalTablespaceTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task A_tablespace_is_restored_to_its_mapped_location()
    {
        using var bed = new PhysicalTestBed();
        string location = bed.NewDirectory("pgark-ts-");
        if (Os.IsRoot)
            Os.Run("chown", _cluster.ServerUser, location);
        await _cluster.ExecuteAsync($"CREATE TABLESPACE spc LOCATION '{location}'");
        await _cluster.ExecuteAsync("CREATE TABLE in_spc TABLESPACE spc AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 50000) g; CHECKPOINT;");
        long oid = await _cluster.ScalarAsync<long>("SELECT oid::bigint FROM pg_tablespace WHERE spcname = 'spc'");
        string md5 = await _cluster.ScalarAsync<string>("SELECT md5(string_agg(v, '' ORDER BY id)) FROM in_spc");
        var repository = await bed.InitRepositoryAsync();

        var backup = await PhysicalTestBed.BackupAsync(repository, _cluster);

        string target = bed.NewDirectory("pgark-restore-ts-");
        string mapped = bed.NewDirectory("pgark-ts-mapped-");
        var restore = new PhysicalRestore(repository, new PhysicalRestoreOptions
        {
            TargetDirectory = target,
            TablespaceMapping = new Dictionary<string, string> { [location] = mapped },
        });
        await restore.RunAsync(backup.Snapshot);
        Assert.Equal(mapped, new FileInfo(Path.Combine(target, "pg_tblspc", oid.ToString())).LinkTarget);
        Assert.NotEmpty(Directory.EnumerateFiles(mapped, "*", SearchOption.AllDirectories));

        if (Os.IsRoot)
            Os.Run("chown", "-R", _cluster.ServerUser, mapped);
        // Recovery recreates pg_tblspc links from tablespace_map, so the restore rewrote it with the new location.
        Assert.Equal($"{oid} {mapped}\n", File.ReadAllText(Path.Combine(target, "tablespace_map")));
        await using (LocalCluster copy = LocalCluster.Adopt(target, new LocalClusterOptions { KeepDirectory = true, BinDirectory = _cluster.Installation.BinDirectory }))
        {
            await copy.StartAsync();
            Assert.Equal(md5, await copy.ScalarAsync<string>("SELECT md5(string_agg(v, '' ORDER BY id)) FROM in_spc"));
        }
        await _cluster.ExecuteAsync("DROP TABLE in_spc");
        await _cluster.ExecuteAsync("DROP TABLESPACE spc");
    }
}
