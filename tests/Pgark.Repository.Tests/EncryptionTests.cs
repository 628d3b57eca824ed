using Pgark.Repository.Config;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests;

public sealed class EncryptionTests
{
    [Fact]
    public async Task Wrong_passphrase_is_a_clear_error_and_writes_nothing()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store, "right");
        await TestData.BackupAsync(repository, new TestData.DataDirectory(), "secret");
        var before = await TestData.CountAsync(store);

        var e = await Assert.ThrowsAsync<WrongPassphraseException>(() => Repository.OpenAsync(store, TestData.Options("wrong")));
        Assert.Equal("wrong passphrase: none of the 1 key file(s) of the repository accepts it", e.Message);
        await Assert.ThrowsAsync<WrongPassphraseException>(() => Repository.OpenAsync(store, TestData.Options(null)));
        Assert.Equal(before, await TestData.CountAsync(store));
        Assert.Equal(0, await TestData.CountAsync(store, "locks/"));
    }

    [Fact]
    public async Task Chunk_ids_are_keyed_and_stored_bytes_do_not_contain_the_plaintext()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store, "pw");
        var data = new TestData.DataDirectory { Stream = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("SECRET-PAYLOAD ", 1000))) };
        await TestData.BackupAsync(repository, data, "x");
        Assert.NotEqual(Ids.ChunkHasher.Unkeyed.Compute(data.PgVersion), repository.Hasher.Compute(data.PgVersion));
        await foreach (var info in store.ListAsync(""))
        {
            var bytes = await store.GetAsync(info.Name);
            Assert.Equal(-1, bytes.AsSpan().IndexOf("SECRET-PAYLOAD"u8));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("15\n"u8.ToArray().Concat("\0"u8.ToArray()).ToArray()));
        }
    }

    [Fact]
    public async Task Config_rewritten_to_unencrypted_is_refused_while_keys_exist()
    {
        var store = new MemoryStore();
        await TestData.InitAsync(store, "pw");
        var config = RepositoryConfig.Decode(await store.GetAsync(RepositoryConfig.FileName));
        _ = await store.DeleteAsync(RepositoryConfig.FileName);
        await store.PutAsync(RepositoryConfig.FileName, (config with { Encrypted = false }).Encode());
        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => Repository.OpenAsync(store, TestData.Options()));
        Assert.Contains("downgrade refused", e.Message);
    }
}
