using Pgark.Repository.Storage;

namespace Pgark.Repository.Tests.Storage;

public sealed class FaultyStoreTests
{
    private readonly MemoryStore _inner = new();

    [Fact]
    public async Task Fail_before_has_no_effect_and_fires_only_after_the_skipped_matches()
    {
        var store = new FaultyStore(_inner);
        store.AddFault(BlobOperation.Put, FaultKind.FailBefore, namePrefix: "packs/", skip: 1);
        await store.PutAsync("packs/a", new byte[1]);
        await store.PutAsync("index/a", new byte[1]);
        var e = await Assert.ThrowsAsync<RepositoryStorageException>(async () => await store.PutAsync("packs/b", new byte[1]));
        Assert.Equal("injected fault: Put of 'packs/b' failed", e.Message);
        Assert.Null(await _inner.StatAsync("packs/b"));
        await store.PutAsync("packs/b", new byte[1]);
        Assert.Equal(1, store.Injected);
    }

    [Fact]
    public async Task Torn_write_leaves_half_the_bytes_under_the_final_name()
    {
        var store = new FaultyStore(_inner);
        store.AddFault(BlobOperation.Put, FaultKind.TornWrite);
        await Assert.ThrowsAsync<RepositoryStorageException>(async () => await store.PutAsync("snapshots/s", new byte[100]));
        Assert.Equal(50, (await _inner.StatAsync("snapshots/s"))!.Value.Length);
    }

    [Fact]
    public async Task Fail_after_performs_the_put_but_loses_the_acknowledgement()
    {
        var store = new FaultyStore(_inner);
        store.AddFault(BlobOperation.Put, FaultKind.FailAfter);
        await Assert.ThrowsAsync<RepositoryStorageException>(async () => await store.PutAsync("index/i", new byte[7]));
        Assert.Equal(7, (await _inner.StatAsync("index/i"))!.Value.Length);
    }

    [Fact]
    public async Task Flip_bit_changes_exactly_one_bit_of_what_is_read()
    {
        var store = new FaultyStore(_inner);
        await store.PutAsync("packs/p", new byte[64]);
        store.AddFault(BlobOperation.Get, FaultKind.FlipBit);
        var bytes = await store.GetAsync("packs/p");
        Assert.Equal(1, bytes.Sum(b => System.Numerics.BitOperations.PopCount(b)));
        Assert.Equal(0, (await store.GetAsync("packs/p")).Sum(b => b));
    }

    [Fact]
    public async Task Crash_after_puts_fails_every_later_mutation_but_still_reads()
    {
        var store = new FaultyStore(_inner);
        store.CrashAfterPuts(2);
        await store.PutAsync("a", new byte[1]);
        await store.PutAsync("b", new byte[1]);
        await Assert.ThrowsAsync<RepositoryStorageException>(async () => await store.PutAsync("c", new byte[1]));
        await Assert.ThrowsAsync<RepositoryStorageException>(async () => await store.DeleteAsync("a"));
        Assert.True(store.Crashed);
        Assert.Single(await store.GetAsync("a"));
    }
}
