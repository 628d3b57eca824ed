using System.Text.Json;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.IntegrationTests.Physical;
using Pgark.IntegrationTests.Wal;
using Pgark.Repository.Codecs;
using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Tuning;

namespace Pgark.IntegrationTests.Tuning;

/// <summary>
/// pgark tune against a real server: the BASE_BACKUP sample is stratified across relations, an earlier backup prices repeat
/// backups, and --apply changes what the next physical backup writes (extent size in its tree, zstd level of its chunks).
/// </summary>
public sealed class TuneRealServerTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Tune_samples_a_live_cluster_prices_repeats_and_apply_steers_the_next_backup()
    {
        using var bed = new PhysicalTestBed();
        await _cluster.ExecuteAsync("CREATE DATABASE tune");
        await _cluster.ExecuteAsync("""
            CREATE TABLE big AS SELECT g AS id, md5(g::text) AS a, repeat('x', 60) AS b FROM generate_series(1, 400000) g;
            CREATE TABLE small_a AS SELECT g AS id, md5(g::text) AS a, repeat('y', 60) AS b FROM generate_series(1, 60000) g;
            CREATE TABLE small_b AS SELECT g AS id, md5(g::text) AS a, repeat('z', 60) AS b FROM generate_series(1, 60000) g;
            CHECKPOINT;
            """, "tune");
        string PathOf(string table) => _cluster.ScalarAsync<string>($"SELECT pg_relation_filepath('{table}')", "tune").GetAwaiter().GetResult();
        var (big, smallA, smallB) = (PathOf("big"), PathOf("small_a"), PathOf("small_b"));

        // The sample: every k-th MiB of every file, so the small tables are in it next to the big one, within the budget.
        var sample = await ClusterSampler.SampleAsync(PhysicalTestBed.Replication(_cluster), 16L << 20, TimeSpan.FromMinutes(5));
        var windows = sample.Windows.GroupBy(w => w.Path).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(sample.Complete);
        Assert.True(sample.SampledBytes <= 16L << 20);
        Assert.True(windows.GetValueOrDefault(smallA) >= 1 && windows.GetValueOrDefault(smallB) >= 1, string.Join(", ", windows));
        Assert.True(windows[big] >= 4 * windows[smallA], $"big {windows[big]} windows, small_a {windows[smallA]}");
        Assert.True(sample.ClusterRelationBytes > 60L << 20, $"{sample.ClusterRelationBytes} relation bytes");

        // An earlier backup, then a change confined to 1% of the big table's rows.
        // Set hint bits and freeze first: otherwise the UPDATE's scan would dirty every page of the table, not 1% of it.
        await _cluster.ExecuteAsync("VACUUM (FREEZE, ANALYZE); CHECKPOINT;", "tune");
        var repository = await bed.InitRepositoryAsync();
        var first = await PhysicalTestBed.BackupAsync(repository, _cluster);
        await _cluster.ExecuteAsync("UPDATE big SET a = 'changed' WHERE id <= 4000; CHECKPOINT;", "tune");

        var run = await CliHarness.RunAsync(["tune", "--db", _cluster.ConnInfo(), "--repo", bed.RepositoryDirectory, "--sample", "16MB",
            "--time", "60s", "--json", "--apply"]);
        Assert.True(run.ExitCode == 0, run.Error);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal(first.Snapshot.Id.ToString(), root.GetProperty("earlier_backup").GetString());
        var reference = root.GetProperty("candidates").EnumerateArray().First(c =>
            c.GetProperty("settings").GetProperty("compression_level").GetInt32() == 3
            && c.GetProperty("settings").GetProperty("extent_size").GetInt32() == 256 << 10);
        var projected = reference.GetProperty("projected");
        Assert.True(projected.GetProperty("repeat_bytes").GetInt64() * 3 < projected.GetProperty("full_bytes").GetInt64(),
            $"a repeat after a 1% change should cost far less than a full backup: {projected}");
        var chosen = root.GetProperty("recommendation").GetProperty("settings");
        int level = chosen.GetProperty("compression_level").GetInt32(), extent = chosen.GetProperty("extent_size").GetInt32();

        // The repository records the choice; the next physical backup writes with it.
        var reopened = await bed.OpenRepositoryAsync();
        Assert.Equal((level, extent), (reopened.Settings.CompressionLevel, reopened.Settings.ExtentSize));
        var packsBefore = await PackNamesAsync(bed.RepositoryDirectory);
        var second = await PhysicalTestBed.BackupAsync(reopened, _cluster);
        var paged = 0;
        await foreach (var file in reopened.ReadTreeAsync(second.Snapshot.Record))
        {
            if (file.Entry.Layout == FileLayout.Paged)
            {
                Assert.Equal(extent, file.Entry.ExtentSize);
                paged++;
            }
        }
        Assert.True(paged > 100, $"{paged} relation files");
        var (matched, distinct) = (0, 0);
        foreach (var pack in (await PackNamesAsync(bed.RepositoryDirectory)).Except(packsBefore))
        {
            foreach (var entry in await reopened.ReadPackHeaderAsync(Repository.Ids.ChunkId.Parse(Path.GetFileName(pack))))
            {
                if ((entry.Flags & ChunkFlags.Compressed) == 0 || entry.Kind != ChunkKind.Data || matched >= 20)
                    continue;
                var plain = await reopened.ReadChunkAsync(entry.Id);
                var frame = new byte[Zstd.CompressBound(plain.Length)];
                // The writer compresses chunks with the level's large-input parameters (repository-format §5.3).
                using (var applied = new ZstdCompressor(level, largeInputParameters: true))
                    Assert.Equal(applied.Compress(plain, frame), (int)entry.StoredLength);
                matched++;
                using var levelThree = new ZstdCompressor(3, largeInputParameters: true);
                distinct += levelThree.Compress(plain, frame) != entry.StoredLength ? 1 : 0;
            }
        }
        Assert.True(matched >= 5, $"only {matched} compressed data chunks in the new packs");
        if (level != 3)
            Assert.True(distinct > 0, "no chunk told the applied level from level 3");

        // Old and new settings' data restore together: the second backup starts and holds the change.
        string target = bed.NewDirectory("pgark-tune-restore-");
        await PhysicalTestBed.Restorer(reopened, target).RunAsync(second.Snapshot);
        await using LocalCluster copy = LocalCluster.Adopt(target, new LocalClusterOptions { KeepDirectory = true, BinDirectory = _cluster.Installation.BinDirectory });
        await copy.StartAsync();
        Assert.Equal(4000L, await copy.ScalarAsync<long>("SELECT count(*) FROM big WHERE a = 'changed'", "tune"));
        Assert.Equal(60000L, await copy.ScalarAsync<long>("SELECT count(*) FROM small_b", "tune"));
    }

    private static async Task<HashSet<string>> PackNamesAsync(string directory)
    {
        var names = new HashSet<string>();
        await foreach (var info in new LocalStore(directory).ListAsync("packs/"))
            names.Add(info.Name);
        return names;
    }
}
