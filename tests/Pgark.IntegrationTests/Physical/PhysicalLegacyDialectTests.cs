using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;

namespace Pgark.IntegrationTests.Physical;

/// <summary>
/// PostgreSQL 13 and 14 speak the keyword BASE_BACKUP syntax and send one COPY per tablespace plus one for the
/// manifest; the round trip must work the same.
/// </summary>
public sealed class PhysicalLegacyDialectTests
{
    [PgMajorFact(14)]
    public Task PostgreSQL_14_round_trips() => RoundTripAsync(14);

    [PgMajorFact(13)]
    public Task PostgreSQL_13_round_trips() => RoundTripAsync(13);

    private static async Task RoundTripAsync(int major)
    {
        using var bed = new PhysicalTestBed();
        await using LocalCluster cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Major = major });
        string[] databases = ["legacy"];
        await PhysicalTestBed.LoadWorkloadAsync(cluster, databases, rows: 20_000);
        var before = await PhysicalTestBed.FingerprintAsync(cluster, databases);
        var repository = await bed.InitRepositoryAsync();

        var backup = await PhysicalTestBed.BackupAsync(repository, cluster);
        Assert.Equal(major, backup.Snapshot.Record.Metadata.PgVersion / 10000);

        string target = bed.NewDirectory($"pgark-restore-{major}-");
        var restored = await PhysicalTestBed.Restorer(repository, target).RunAsync(backup.Snapshot);
        Assert.True(restored.ManifestFilesVerified > 500, $"only {restored.ManifestFilesVerified} files verified");
        await using LocalCluster copy = LocalCluster.Adopt(target, new LocalClusterOptions { Major = major, KeepDirectory = true });
        await copy.StartAsync();
        Assert.Equal(before, await PhysicalTestBed.FingerprintAsync(copy, databases));
    }
}
