using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.IntegrationTests.Wal;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Physical;

/// <summary>
/// Faults a physical backup must survive cleanly, each on its own real server: the backup is not committed, the
/// repository stays consistent, the earlier backup is untouched, and the CLI says what happened and what to do.
/// </summary>
public sealed class PhysicalFaultTests
{
    [Fact]
    public async Task With_every_wal_sender_taken_the_backup_fails_with_a_hint_and_commits_nothing()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions { MaxWalSenders = 2 });
        using var bed = new PhysicalTestBed();
        var repository = await bed.InitRepositoryAsync();
        var earlier = await PhysicalTestBed.BackupAsync(repository, cluster);

        // Another replication client holds one of the two senders; the backup needs two (files and WAL).
        await using (PgConnection holder = await PgConnection.OpenAsync(PhysicalTestBed.Replication(cluster)))
        {
            await holder.IdentifySystemAsync();
            var result = await CliHarness.RunAsync(["backup", "--repo", bed.RepositoryDirectory, "--db", cluster.ConnInfo()]);

            Assert.Equal(3, result.ExitCode); // cannot connect
            Assert.Contains("max_wal_senders", Line(result.Error, "pgark:"));
            Assert.Contains("raise max_connections or max_wal_senders (a physical backup uses two WAL senders)", Line(result.Error, "hint:"));
        }
        await AssertUntouchedAsync(bed, earlier.Snapshot.Id);
        Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots"));
    }

    [Fact]
    public async Task A_page_with_a_bad_checksum_fails_the_backup_with_XX001_and_commits_nothing()
    {
        // Scratch clusters are initialized with --data-checksums.
        await using LocalCluster cluster = await LocalCluster.StartAsync();
        using var bed = new PhysicalTestBed();
        await cluster.ExecuteAsync("""
            CREATE TABLE victim AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 20000) g;
            CHECKPOINT;
            """);
        string file = Path.Combine(cluster.DataDirectory, await cluster.ScalarAsync<string>("SELECT pg_relation_filepath('victim')"));
        var repository = await bed.InitRepositoryAsync();
        var earlier = await PhysicalTestBed.BackupAsync(repository, cluster);

        // Flip bytes inside page 3's tuple area on the stopped server: the header stays valid, the checksum no longer matches.
        await cluster.StopAsync();
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            var page = new byte[8192];
            stream.Position = 3 * 8192;
            stream.ReadExactly(page);
            for (int i = 4000; i < 4016; i++)
                page[i] ^= 0xFF;
            stream.Position = 3 * 8192;
            stream.Write(page);
        }
        await cluster.StartAsync();

        var result = await CliHarness.RunAsync(["backup", "--repo", bed.RepositoryDirectory, "--db", cluster.ConnInfo()]);

        Assert.Equal(5, result.ExitCode); // the server reported an error
        Assert.Contains("checksum verification failure during base backup", Line(result.Error, "pgark:"));
        Assert.Contains("a data file on the server is corrupt", Line(result.Error, "hint:"));
        Assert.Contains("--no-verify-checksums", Line(result.Error, "hint:"));
        Assert.Contains("checksum verification failed in file", cluster.ReadLogTail(200));
        await AssertUntouchedAsync(bed, earlier.Snapshot.Id);

        // The way out the hint names works: the backup is taken with the server's verification off.
        var anyway = await CliHarness.RunAsync(["backup", "--repo", bed.RepositoryDirectory, "--db", cluster.ConnInfo(), "--no-verify-checksums"]);
        Assert.True(anyway.ExitCode == 0, anyway.Error);
        Assert.Equal(2, (await (await bed.OpenRepositoryAsync()).ListSnapshotsAsync()).Count);
    }

    [TmpfsFact]
    public async Task A_full_repository_fails_the_backup_names_the_cause_and_leaves_the_earlier_one_restorable()
    {
        await using LocalCluster cluster = await LocalCluster.StartAsync();
        using var bed = new PhysicalTestBed();
        using var tmpfs = TmpfsFactAttribute.Mount(megabytes: 24);
        string repositoryDirectory = Path.Combine(tmpfs.Directory, "repo");
        await Repository.Repository.InitAsync(new LocalStore(repositoryDirectory), new RepositoryInitOptions());
        var repository = await Repository.Repository.OpenAsync(new LocalStore(repositoryDirectory));
        var earlier = await PhysicalTestBed.BackupAsync(repository, cluster);

        // About 60 MB of hex text (compresses ~2x): far more than the space left.
        await cluster.ExecuteAsync("""
            CREATE TABLE filler AS SELECT g AS id, (SELECT string_agg(md5(random()::text || g || i), '') FROM generate_series(1, 30) i) AS payload
              FROM generate_series(1, 60000) g;
            CHECKPOINT;
            """);
        var result = await CliHarness.RunAsync(["backup", "--repo", repositoryDirectory, "--db", cluster.ConnInfo()]);

        Assert.Equal(7, result.ExitCode); // repository error
        Assert.Contains("the repository's filesystem is full", Line(result.Error, "pgark:"));
        Assert.Contains("free space on that filesystem or move the repository", Line(result.Error, "hint:"));
        Assert.Empty(Directory.EnumerateFiles(repositoryDirectory, ".tmp-*", SearchOption.AllDirectories));
        string locks = Path.Combine(repositoryDirectory, "locks");
        Assert.False(Directory.Exists(locks) && Directory.EnumerateFiles(locks).Any(), "the failed backup left its lock behind");
        await AssertUntouchedAsync(new LocalStore(repositoryDirectory), earlier.Snapshot.Id);

        // The earlier backup still restores, verified against its manifest.
        var reopened = await Repository.Repository.OpenAsync(new LocalStore(repositoryDirectory));
        var restored = await PhysicalTestBed.Restorer(reopened, bed.NewDirectory("pgark-restore-")).RunAsync(await reopened.LoadSnapshotAsync(earlier.Snapshot.Id));
        Assert.True(restored.ManifestFilesVerified > 500);
    }

    private static Task AssertUntouchedAsync(PhysicalTestBed bed, Repository.Ids.ChunkId earlier)
        => AssertUntouchedAsync(new LocalStore(bed.RepositoryDirectory), earlier);

    /// <summary>Only the earlier snapshot exists, and check (reading every chunk) finds no error.</summary>
    private static async Task AssertUntouchedAsync(LocalStore store, Repository.Ids.ChunkId earlier)
    {
        var reopened = await Repository.Repository.OpenAsync(store);
        Assert.Equal([earlier], (await reopened.ListSnapshotsAsync()).Select(s => s.Id));
        var check = await reopened.CheckAsync(readData: true);
        Assert.False(check.HasErrors, string.Join("\n", check.Errors));
    }

    private static string Line(string output, string prefix)
        => output.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) ?? $"(no '{prefix}' line in: {output})";
}
