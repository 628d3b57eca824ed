using Pgark.Repository.Check;
using Pgark.Repository.Config;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests.Check;

/// <summary>Damage a good repository on purpose and assert the exact typed error (spec §12).</summary>
public sealed class DamageTests
{
    private readonly MemoryStore _store = new();

    private async Task<(Repository Repository, SnapshotInfo Snapshot)> BackedUpAsync()
    {
        var repository = await TestData.InitAsync(_store);
        var (snapshot, _) = await TestData.BackupAsync(repository, new TestData.DataDirectory(), "good");
        return (await Repository.OpenAsync(_store, TestData.Options()), snapshot);
    }

    private async Task<string> FirstAsync(string prefix)
    {
        await foreach (var info in _store.ListAsync(prefix))
            return info.Name;
        throw new InvalidOperationException("nothing under " + prefix);
    }

    /// <summary>The pack holding the relation's first extent.</summary>
    private async Task<(string PackName, ChunkId ChunkId)> RelationPackAsync(Repository repository, SnapshotInfo snapshot)
    {
        await foreach (var file in repository.ReadTreeAsync(snapshot.Record))
        {
            if (file.Entry.Path == "base/5/16384")
            {
                Assert.True(repository.Index.TryGet(file.Extents[0].ObjectId, out var location));
                return (location.PackFileName, file.Extents[0].ObjectId);
            }
        }
        throw new InvalidOperationException("relation not found");
    }

    [Fact]
    public async Task Deleted_pack_is_a_missing_object_on_restore_and_an_error_in_check()
    {
        var (repository, snapshot) = await BackedUpAsync();
        var (pack, _) = await RelationPackAsync(repository, snapshot);
        await _store.DeleteAsync(pack);

        var e = await Assert.ThrowsAsync<RepositoryObjectMissingException>(() => TestData.RestoreAsync(repository, snapshot));
        Assert.Equal(pack, e.FileName);
        var report = await repository.CheckAsync();
        var problem = Assert.Single(report.Errors);
        Assert.Equal(pack, problem.FileName);
        Assert.StartsWith("pack is missing but the index lists", problem.Message);
    }

    [Fact]
    public async Task Flipped_byte_in_the_base_under_a_page_delta_is_storage_damage_naming_the_base_chunk()
    {
        // Restore does not hash the chunks of a delta extent against their ids (the page hashes check the result); a damaged
        // base must still fail the restore, and the error must name the base, not only the page that came out wrong.
        var repository = await TestData.InitAsync(_store);
        var data = new TestData.DataDirectory();
        var (first, _) = await TestData.BackupAsync(repository, data, "first");
        var changed = (byte[])data.Relation.Clone();
        TestData.Random(4096, seed: 7).CopyTo(changed, 2 * 8192 + 100);
        var (second, _) = await TestData.BackupAsync(repository, new TestData.DataDirectory { Relation = changed }, "second", parent: first,
            start: TestData.Time.AddHours(1));
        repository = await Repository.OpenAsync(_store, TestData.Options());
        var (pack, baseId) = await RelationPackAsync(repository, first);
        Assert.True(repository.Index.TryGet(baseId, out var location));
        // A byte of the base's pages that the delta does not replace (page 0): only the page hashes can see it.
        var bytes = await _store.GetAsync(pack);
        bytes[location.Entry.Offset + location.Entry.StoredLength / 8] ^= 0x01;
        _store.Overwrite(pack, bytes);

        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => TestData.RestoreAsync(repository, second));
        Assert.Equal((CorruptionCause.StorageDamage, pack, baseId.ToString()), (e.Cause, e.FileName, e.ObjectId));
    }

    [Fact]
    public async Task Flipped_byte_in_a_pack_is_storage_damage_naming_pack_and_chunk()
    {
        var (repository, snapshot) = await BackedUpAsync();
        var (pack, chunkId) = await RelationPackAsync(repository, snapshot);
        Assert.True(repository.Index.TryGet(chunkId, out var location));
        var bytes = await _store.GetAsync(pack);
        bytes[location.Entry.Offset + 10] ^= 0x01;
        _store.Overwrite(pack, bytes);

        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => TestData.RestoreAsync(repository, snapshot));
        Assert.Equal(CorruptionCause.StorageDamage, e.Cause);
        Assert.Equal(pack, e.FileName);
        Assert.Equal(chunkId.ToString(), e.ObjectId);
        Assert.EndsWith("[storage damage]", e.Message);

        Assert.False((await repository.CheckAsync()).HasErrors, "the structure check does not read chunk data");
        var problem = Assert.Single((await repository.CheckAsync(readData: true)).Errors);
        Assert.Equal(new CheckProblem(CheckSeverity.Error, pack, null,
            $"pack content hashes to {ChunkHasher.FileId(bytes).ToShortString()}, not to its name", CorruptionCause.StorageDamage), problem);
    }

    [Fact]
    public async Task Pack_headers_read_back_and_a_damaged_trailer_is_storage_damage()
    {
        var (repository, snapshot) = await BackedUpAsync();
        var (pack, chunkId) = await RelationPackAsync(repository, snapshot);
        var packId = Repository.FileIdOf(pack);
        Assert.Contains((await repository.ReadPackHeaderAsync(packId)).Select(e => e.Id), id => id == chunkId);
        var bytes = await _store.GetAsync(pack);
        bytes[^1] ^= 0xFF;
        _store.Overwrite(pack, bytes);
        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => repository.ReadPackHeaderAsync(packId));
        Assert.Equal($"repository corruption in {pack}: pack trailer magic 'PGARKPAK' not found [storage damage]", e.Message);
    }

    [Fact]
    public async Task Truncated_index_delta_fails_open_with_storage_damage()
    {
        await BackedUpAsync();
        var index = await FirstAsync("index/");
        var bytes = await _store.GetAsync(index);
        _store.Overwrite(index, bytes[..(bytes.Length / 2)]);

        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => Repository.OpenAsync(_store, TestData.Options()));
        Assert.Equal(index, e.FileName);
        Assert.Equal(CorruptionCause.StorageDamage, e.Cause);
        Assert.Equal($"repository corruption in {index}: content ({bytes.Length / 2} bytes) hashes to " +
                     $"{ChunkHasher.FileId(bytes[..(bytes.Length / 2)]).ToShortString()}, not to its name [storage damage]", e.Message);
    }

    [Fact]
    public async Task Corrupted_snapshot_is_storage_damage_when_listing_and_an_error_in_check()
    {
        var (repository, _) = await BackedUpAsync();
        var name = await FirstAsync("snapshots/");
        var bytes = await _store.GetAsync(name);
        bytes[^3] ^= 0x80;
        _store.Overwrite(name, bytes);

        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => repository.ListSnapshotsAsync());
        Assert.Equal((name, CorruptionCause.StorageDamage), (e.FileName, e.Cause));
        var problem = Assert.Single((await repository.CheckAsync()).Errors);
        Assert.Equal((name, CorruptionCause.StorageDamage), (problem.FileName, problem.Cause));
    }

    [Fact]
    public async Task Intact_pack_with_a_chunk_that_does_not_match_its_id_is_a_writer_bug()
    {
        var (repository, _) = await BackedUpAsync();
        // A pack whose bytes hash to its name but whose entry lies about the chunk id: only a broken writer makes this.
        var lie = ChunkHasher.Unkeyed.Compute("what the entry claims"u8);
        var body = "what is really stored"u8.ToArray();
        var entries = new[] { new PackEntry(lie, 0, (uint)body.Length, (uint)body.Length, ChunkFlags.None, ChunkKind.Data) };
        var pack = body.Concat(PackHeaderCodec.EncodeHeaderAndTrailer(entries, null)).ToArray();
        var packId = ChunkHasher.FileId(pack);
        await _store.PutAsync(PackLayout.FileName(packId), pack);
        await repository.PutObjectAsync(IndexDelta.Directory, ObjectType.Index, IndexDelta.FromPacks([(packId, entries)]).EncodeBody(), default);
        await repository.LoadIndexAsync();

        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => repository.ReadChunkAsync(lie));
        Assert.Equal(CorruptionCause.WriterBug, e.Cause);
        Assert.Equal(lie.ToString(), e.ObjectId);
        Assert.Contains("not to its id", e.Problem);
        var problem = Assert.Single((await repository.CheckAsync(readData: true)).Errors);
        Assert.Equal((PackLayout.FileName(packId), lie.ToString(), CorruptionCause.WriterBug), (problem.FileName, problem.ObjectId, problem.Cause));
    }

    [Fact]
    public async Task Unknown_format_version_is_refused_naming_both_versions()
    {
        await BackedUpAsync();
        var config = await _store.GetAsync(RepositoryConfig.FileName);
        config[8] = 2;
        Pgark.Repository.Codecs.Blake3.Hash(config.AsSpan(0, 32), config.AsSpan(32, 32));
        _store.Overwrite(RepositoryConfig.FileName, config);
        var e = await Assert.ThrowsAsync<RepositoryFormatVersionException>(() => Repository.OpenAsync(_store, TestData.Options()));
        Assert.Equal("config has format version 2, this pgark reads version 1", e.Message);
    }

    [Fact]
    public async Task Damaged_config_is_storage_damage()
    {
        await BackedUpAsync();
        var config = await _store.GetAsync(RepositoryConfig.FileName);
        config[20] ^= 4;
        _store.Overwrite(RepositoryConfig.FileName, config);
        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => Repository.OpenAsync(_store, TestData.Options()));
        Assert.Equal("repository corruption in config: checksum does not match [storage damage]", e.Message);
    }
}
