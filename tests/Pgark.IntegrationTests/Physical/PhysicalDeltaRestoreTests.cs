using System.Text.Json;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.IntegrationTests.Wal;

namespace Pgark.IntegrationTests.Physical;

/// <summary>
/// restore --delta over a diverged copy (through the CLI, with --tablespace-map): unchanged files stay, changed ones are
/// rewritten, files the backup lacks are removed, and the result starts holding the backed-up rows again.
/// </summary>
public sealed class PhysicalDeltaRestoreTests
{
    private static readonly string[] s_databases = ["app"];

    [Fact]
    public async Task A_delta_restore_brings_a_diverged_copy_back_to_the_backup_rewriting_only_what_differs()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync();
        using var bed = new PhysicalTestBed();
        string location = bed.NewDirectory("pgark-ts-");
        if (Os.IsRoot)
            Os.Run("chown", cluster.ServerUser, location);
        await PhysicalTestBed.LoadWorkloadAsync(cluster, s_databases, rows: 50_000);
        await cluster.ExecuteAsync($"CREATE TABLESPACE spc LOCATION '{location}'");
        await cluster.ExecuteAsync("CREATE TABLE in_spc TABLESPACE spc AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g; CHECKPOINT;", "app");
        var before = await PhysicalTestBed.FingerprintAsync(cluster, s_databases);
        string spcBefore = await cluster.ScalarAsync<string>("SELECT md5(string_agg(v, '' ORDER BY id)) FROM in_spc", "app");
        var repository = await bed.InitRepositoryAsync();
        await PhysicalTestBed.BackupAsync(repository, cluster);

        // A full restore through the CLI, the tablespace moved with --tablespace-map.
        string target = bed.NewDirectory("pgark-delta-");
        string mapped = bed.NewDirectory("pgark-ts-mapped-");
        string[] restore = ["restore", "--repo", bed.RepositoryDirectory, "--target", target, "--tablespace-map", $"{location}={mapped}", "--json"];
        var full = await CliHarness.RunAsync(restore);
        Assert.True(full.ExitCode == 0, full.Error);
        string link = Directory.GetFileSystemEntries(Path.Combine(target, "pg_tblspc")).Single();
        Assert.Equal(mapped, new FileInfo(link).LinkTarget);

        // Let the copy diverge: updated rows, a new table, a changed tablespace table. While it runs, --delta refuses.
        await using (LocalCluster copy = Adopt(cluster, target, mapped))
        {
            await copy.StartAsync();
            await copy.ExecuteAsync("""
                UPDATE accounts SET abalance = abalance + 7 WHERE aid % 97 = 0;
                CREATE TABLE diverged AS SELECT g FROM generate_series(1, 10000) g;
                UPDATE in_spc SET v = 'changed' WHERE id % 10 = 0;
                CHECKPOINT;
                """, "app");
            var refused = await CliHarness.RunAsync([.. restore, "--delta"]);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("holds postmaster.pid", refused.Error);
            Assert.Contains("hint: stop the server first", refused.Error);
            await copy.StopAsync();
        }

        var delta = await CliHarness.RunAsync([.. restore, "--delta"]);
        Assert.True(delta.ExitCode == 0, delta.Error);
        using var summary = JsonDocument.Parse(delta.Out);
        long kept = summary.RootElement.GetProperty("files_kept").GetInt64();
        long files = summary.RootElement.GetProperty("files").GetInt64();
        long removed = summary.RootElement.GetProperty("removed").GetInt64();
        Assert.True(kept > files / 2, $"only {kept} of {files} files were kept as unchanged");
        Assert.True(removed >= 1, "the diverged table's file was not removed");

        await using (LocalCluster copy = Adopt(cluster, target, mapped))
        {
            await copy.StartAsync();
            Assert.Equal(before, await PhysicalTestBed.FingerprintAsync(copy, s_databases));
            Assert.Equal(spcBefore, await copy.ScalarAsync<string>("SELECT md5(string_agg(v, '' ORDER BY id)) FROM in_spc", "app"));
            Assert.True(await copy.ScalarAsync<bool>("SELECT to_regclass('diverged') IS NULL", "app"));
        }
    }

    [Fact]
    public async Task Tablespace_map_and_delta_reject_bad_input_with_a_hint()
    {
        using var bed = new PhysicalTestBed();
        await bed.InitRepositoryAsync();
        var relative = await CliHarness.RunAsync(["restore", "--repo", bed.RepositoryDirectory, "--target", bed.NewDirectory("t-"), "--tablespace-map", "ts=/new"]);
        Assert.Equal(2, relative.ExitCode);
        Assert.Contains("--tablespace-map 'ts=/new' is not OLD=NEW with two absolute directories", relative.Error);
        Assert.Contains("hint: give the tablespace's location at backup time and its new place", relative.Error);

        string notData = bed.NewDirectory("not-data-");
        File.WriteAllText(Path.Combine(notData, "precious.txt"), "keep me");
        var repository = await bed.OpenRepositoryAsync();
        var refused = await Assert.ThrowsAsync<Pgark.Physical.Restore.PhysicalRestoreException>(() =>
            new Pgark.Physical.Restore.PhysicalRestore(repository, new Pgark.Physical.Restore.PhysicalRestoreOptions { TargetDirectory = notData, Delta = true })
                .RunAsync(FakePhysicalSnapshot()));
        Assert.Contains("has no PG_VERSION", refused.Message);
        Assert.True(File.Exists(Path.Combine(notData, "precious.txt")));
    }

    private static Repository.Snapshots.SnapshotInfo FakePhysicalSnapshot()
    {
        var time = DateTimeOffset.UnixEpoch;
        var metadata = new Repository.Snapshots.SnapshotMetadata(Repository.Format.SnapshotKind.Physical, 1, 150000, 1, 0, 0, time, time, "x", "h");
        return new Repository.Snapshots.SnapshotInfo(default, new Repository.Snapshots.SnapshotRecord(metadata, 0, 0, [], []));
    }

    private static LocalCluster Adopt(LocalCluster source, string target, string mapped)
    {
        if (Os.IsRoot)
            Os.Run("chown", "-R", source.ServerUser, mapped);
        return LocalCluster.Adopt(target, new LocalClusterOptions { KeepDirectory = true, BinDirectory = source.Installation.BinDirectory });
    }
}
