using Pgark.Repository.Chunking;
using Pgark.Repository.Config;
using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests.Config;

public sealed class StorageSettingsTests
{
    private static readonly StorageSettings s_custom =
        new(-5, 1 << 20, 64 * 1024, new FastCdcOptions(16 << 10, 64 << 10, 256 << 10));

    private static RepositoryOptions Plain(string? passphrase = null) => new() { Passphrase = passphrase, Hostname = "testhost" };

    [Fact]
    public async Task A_repository_without_settings_opens_with_the_defaults()
    {
        var store = new MemoryStore();
        await Repository.InitAsync(store, new RepositoryInitOptions(), Plain());
        Assert.Equal(0, await TestData.CountAsync(store, StorageSettingsRecord.Directory));

        var repository = await Repository.OpenAsync(store, Plain());
        Assert.Null(repository.StoredSettings);
        Assert.Equal(StorageSettings.Default, repository.Settings);
        Assert.Equal(3, repository.Settings.CompressionLevel);
        Assert.Equal(256 * 1024, repository.Settings.ExtentSize);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("settings passphrase")]
    public async Task Settings_given_at_init_are_read_back_on_open(string? passphrase)
    {
        var store = new MemoryStore();
        await Repository.InitAsync(store, new RepositoryInitOptions
        {
            Passphrase = passphrase, KdfIterations = FormatConstants.MinimumKdfIterations, Storage = s_custom,
        }, Plain(passphrase));

        var repository = await Repository.OpenAsync(store, Plain(passphrase));
        Assert.Equal(s_custom, repository.Settings);
        Assert.Equal(1UL, repository.StoredSettings!.Sequence);
        Assert.Equal("init", repository.StoredSettings.Note);
        await foreach (var info in store.ListAsync(StorageSettingsRecord.Directory))
        {
            var bytes = await store.GetAsync(info.Name);
            Assert.Equal((byte)ObjectType.Settings, bytes[4]);
            Assert.Equal(passphrase is not null, (bytes[6] & (byte)ObjectFlags.Encrypted) != 0);
        }
    }

    [Fact]
    public async Task Saving_settings_supersedes_the_old_object_and_a_later_backup_writes_with_them()
    {
        var store = new MemoryStore();
        var repository = await Repository.InitAsync(store, new RepositoryInitOptions(), Plain());
        var data = new TestData.DataDirectory();
        var (first, _) = await TestData.BackupAsync(repository, data, "default settings");

        await repository.SaveSettingsAsync(StorageSettings.Default with { CompressionLevel = null }, "test: off");
        var record = await repository.SaveSettingsAsync(s_custom with { CompressionLevel = null, PackTargetSize = 64 * 1024 }, "test: raw");
        Assert.Equal(2UL, record.Sequence);
        Assert.Equal(1, await TestData.CountAsync(store, StorageSettingsRecord.Directory));

        var reopened = await Repository.OpenAsync(store, Plain());
        Assert.Equal("test: raw", reopened.StoredSettings!.Note);
        var packsBefore = await PackNamesAsync(store);
        var second = await TestData.BackupAsync(reopened, new TestData.DataDirectory { Relation = TestData.Relation(70, seed: 99), Stream = TestData.Random(200_000, seed: 98) }, "raw settings");
        var newPacks = (await PackNamesAsync(store)).Except(packsBefore).ToList();
        Assert.True(newPacks.Count >= 2, "64 KiB packs: the new data spans several");
        foreach (var name in newPacks)
        {
            var header = await reopened.ReadPackHeaderAsync(Repository.FileIdOf(name));
            Assert.All(header, e => Assert.Equal(ChunkFlags.None, e.Flags));
            Assert.True((await store.StatAsync(name))!.Value.Length < 64 * 1024 + 2 * FormatConstants.DefaultExtentSize);
        }
        // The old snapshot, written compressed, still restores under the new settings.
        Assert.Equal(data.Relation, (await TestData.RestoreAsync(reopened, first))["base/5/16384"]);
        Assert.False((await reopened.CheckAsync(readData: true)).HasErrors);
        Assert.NotEqual(first.Id, second.Snapshot.Id);
    }

    [Fact]
    public async Task A_damaged_settings_object_blocks_backups_but_not_reads_and_check_names_it()
    {
        var store = new MemoryStore();
        var repository = await Repository.InitAsync(store, new RepositoryInitOptions { Storage = s_custom }, Plain());
        var (snapshot, _) = await TestData.BackupAsync(repository, new TestData.DataDirectory(), "before damage");
        string name = "";
        await foreach (var info in store.ListAsync(StorageSettingsRecord.Directory))
            name = info.Name;
        var bytes = await store.GetAsync(name);
        bytes[^1] ^= 1;
        await store.DeleteAsync(name);
        await store.PutAsync(name, bytes);

        var reopened = await Repository.OpenAsync(store, Plain());
        Assert.NotEmpty(await TestData.RestoreAsync(reopened, snapshot));
        var error = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => reopened.BeginBackupAsync());
        Assert.Equal(name, error.FileName);
        var problem = Assert.Single((await reopened.CheckAsync()).Errors);
        Assert.Equal(name, problem.FileName);
        Assert.Equal(CorruptionCause.StorageDamage, problem.Cause);
    }

    [Fact]
    public void The_body_round_trips_and_rejects_out_of_range_values()
    {
        var record = new StorageSettingsRecord(7, TestData.Time, s_custom, "tune --goal balanced");
        var body = record.EncodeBody();
        Assert.Equal(48 + 4 + record.Note.Length, body.Length);
        Assert.Equal(record, StorageSettingsRecord.DecodeBody(body));

        var badExtent = (byte[])body.Clone();
        BitConverter.GetBytes(3 * 8192).CopyTo(badExtent, 28);
        Assert.Contains("extent size 24576 is not a power of two", Assert.Throws<InvalidDataException>(() => StorageSettingsRecord.DecodeBody(badExtent)).Message);
        var reserved = (byte[])body.Clone();
        reserved[17] = 1;
        Assert.Contains("reserved", Assert.Throws<InvalidDataException>(() => StorageSettingsRecord.DecodeBody(reserved)).Message);
        Assert.Throws<ArgumentException>(() => (StorageSettings.Default with { CompressionLevel = 23 }).Validate());
        Assert.Throws<ArgumentException>(() => (StorageSettings.Default with { PackTargetSize = 1000 }).Validate());
    }

    [Fact]
    public void The_file_name_carries_the_sequence()
    {
        var name = StorageSettingsRecord.FilePrefix(42) + new string('a', 64);
        Assert.Equal("settings/000000000000002a." + new string('a', 64), name);
        Assert.Equal(42UL, StorageSettingsRecord.SequenceOf(name));
        Assert.Null(StorageSettingsRecord.SequenceOf("settings/junk"));
    }

    private static async Task<HashSet<string>> PackNamesAsync(IBlobStore store)
    {
        var names = new HashSet<string>();
        await foreach (var info in store.ListAsync("packs/"))
            names.Add(info.Name);
        return names;
    }
}
