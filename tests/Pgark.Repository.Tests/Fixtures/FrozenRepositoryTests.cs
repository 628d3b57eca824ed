using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests.Fixtures;

/// <summary>
/// Frozen format-version-1 repositories in tests/testdata/repository/v1 must keep reading, byte for byte, in every later
/// build. They are regenerated only with UPDATE_GOLDEN=1 (then commit them), which is also how they were made. They
/// predate subtree page hashes (tree records of type PagedExtents) and are the only test of reading type-3 Extents
/// records; regenerated, they would hold the new type and the test says so.
/// </summary>
public sealed class FrozenRepositoryTests
{
    public const string Passphrase = "pgark v1 fixture";
    private const int SegmentSize = 1 << 20;

    private static TestData.DataDirectory First() => new() { Relation = TestData.Relation(10, seed: 21), Stream = TestData.Random(10_000, 22) };

    private static TestData.DataDirectory Second()
    {
        var data = First();
        TestData.Random(300, 23).CopyTo(data.Relation, 8192 * 9 + 1000);
        return data;
    }

    private static byte[] Segment()
    {
        var segment = new byte[SegmentSize];
        TestData.Random(2000, 24).CopyTo(segment, 0);
        return segment;
    }

    private static string FixtureRoot(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var testdata = Path.Combine(directory.FullName, "tests", "testdata");
            if (Directory.Exists(testdata))
                return Path.Combine(testdata, "repository", "v1", name);
        }
        throw new DirectoryNotFoundException("tests/testdata not found above " + AppContext.BaseDirectory);
    }

    [Theory]
    [InlineData("plain", null)]
    [InlineData("encrypted", Passphrase)]
    public async Task Frozen_v1_repository_restores_and_checks_clean(string name, string? passphrase)
    {
        var root = FixtureRoot(name);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
            await GenerateAsync(root, passphrase);
        Assert.True(File.Exists(Path.Combine(root, "config")), $"fixture {root} is missing; generate it with UPDATE_GOLDEN=1");

        var store = new LocalStore(root);
        var repository = await Repository.OpenAsync(store, TestData.Options(passphrase));
        Assert.Equal(FormatConstants.FormatVersion, repository.Config.FormatVersion);
        Assert.Equal(passphrase is not null, repository.Config.Encrypted);
        var snapshots = await repository.ListSnapshotsAsync();
        Assert.Equal(["v1 first", "v1 second"], snapshots.Select(s => s.Record.Metadata.Label));
        Assert.Equal(snapshots[0].Id, snapshots[1].Record.Metadata.ParentSnapshotId);

        foreach (var (snapshot, data) in new[] { (snapshots[0], First()), (snapshots[1], Second()) })
        {
            var files = await TestData.RestoreAsync(repository, snapshot);
            Assert.Equal(data.Relation, files["base/5/16384"]);
            Assert.Equal(data.Stream, files["pg_wal_dump.bin"]);
            Assert.Equal(data.Manifest, await repository.ReadDocumentAsync(snapshot.Record.Documents[0]));
        }
        var depths = new List<int>();
        await foreach (var file in repository.ReadTreeAsync(snapshots[1].Record))
        {
            depths.AddRange(file.Extents.Select(e => e.DeltaDepth));
            // Written before subtree page hashes: the delta extent above was checked with hashes of each page alone.
            Assert.All(file.Extents, e => Assert.Equal(PageHashKind.Content, e.PageHashKind));
        }
        Assert.Equal([0, 1], depths);

        var wal = Assert.Single(await repository.Wal.ListAsync(1));
        Assert.Equal("000000010000000000000007", wal.WalFileName);
        Assert.Equal(Segment(), await repository.Wal.ReadAsync(wal));
        // Its WAL predates per-cluster directories: the legacy namespace, the cluster its first page names (spec §8.2).
        Assert.Null(wal.SystemIdentifier);
        var legacy = Pgark.Repository.Wal.WalArchive.SystemIdentifierOf(Segment());
        Assert.Equal(legacy, await repository.Wal.LegacySystemIdentifierAsync());
        Assert.Equal(legacy is null ? [] : [legacy.Value], await repository.Wal.ListClustersAsync());
        if (legacy is { } cluster)
            Assert.Equal(wal.FileName, Assert.Single(await repository.Wal.ListClusterAsync(cluster)).FileName);

        var report = await repository.CheckAsync(readData: true);
        Assert.Empty(report.Problems);
        Assert.Equal(2, report.SnapshotsChecked);
    }

    [Fact]
    public async Task A_backup_on_top_of_a_v1_snapshot_stores_changed_extents_whole_once_then_deltas_again()
    {
        var copy = Directory.CreateTempSubdirectory("pgark-frozen-").FullName;
        try
        {
            foreach (var file in Directory.EnumerateFiles(FixtureRoot("plain"), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(copy, Path.GetRelativePath(FixtureRoot("plain"), file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            var repository = await Repository.OpenAsync(new LocalStore(copy), TestData.Options());
            var second = (await repository.ListSnapshotsAsync())[1];

            // The v1 parent's page hashes are not comparable with the ones this backup computes: the changed extent is
            // stored whole (the unchanged one is found by its id), and the next backup compares pages again.
            var third = Second();
            TestData.Random(100, 31).CopyTo(third.Relation, 8192 * 9 + 4000);
            var (thirdSnapshot, _) = await TestData.BackupAsync(repository, third, "third", second, TestData.Time.AddHours(2));
            var fourth = Second();
            TestData.Random(100, 31).CopyTo(fourth.Relation, 8192 * 9 + 4000);
            TestData.Random(100, 32).CopyTo(fourth.Relation, 8192 * 8 + 10);
            var (fourthSnapshot, _) = await TestData.BackupAsync(repository, fourth, "fourth", thirdSnapshot, TestData.Time.AddHours(3));

            foreach (var (snapshot, data, depths) in new[] { (thirdSnapshot, third, new[] { 0, 0 }), (fourthSnapshot, fourth, [0, 1]) })
            {
                Assert.Equal(data.Relation, (await TestData.RestoreAsync(repository, snapshot))["base/5/16384"]);
                await using var cursor = repository.OpenTreeCursor(snapshot.Record);
                var relation = (await cursor.SeekAsync("base/5/16384"))!;
                Assert.Equal(depths, relation.Extents.Select(e => e.DeltaDepth));
                Assert.All(relation.Extents, e => Assert.Equal(PageHashKind.Subtree, e.PageHashKind));
            }
            Assert.Empty((await repository.CheckAsync(readData: true)).Problems);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static async Task GenerateAsync(string root, string? passphrase)
    {
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
        var store = new LocalStore(root);
        var repository = await TestData.InitAsync(store, passphrase);
        var (first, _) = await TestData.BackupAsync(repository, First(), "v1 first");
        await TestData.BackupAsync(repository, Second(), "v1 second", first, TestData.Time.AddHours(1));
        // Written as version 1 wrote WAL before per-cluster directories: directly under wal/ (the legacy namespace, spec §8.2).
        var segment = Segment();
        var body = Pgark.Repository.Wal.WalObject.EncodeBody(WalKind.Full, 1, 7, SegmentSize, segment, repository.Hasher.Compute(segment), repository.Codec);
        var file = Pgark.Repository.Objects.ObjectEnvelope.Encode(ObjectType.Wal, body, false, null);
        await store.PutAsync("wal/000000010000000000000007.full." + Pgark.Repository.Ids.ChunkHasher.FileId(file), file);
    }
}
