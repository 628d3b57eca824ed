using System.Text;
using Pgark.Repository.Storage;

namespace Pgark.Repository.Tests.Storage;

/// <summary>The <see cref="IBlobStore"/> contract. Every store runs this suite through a subclass.</summary>
public abstract class BlobStoreConformanceTests
{
    protected abstract IBlobStore Store { get; }

    [Fact]
    public async Task Put_then_get_returns_the_same_bytes()
    {
        var data = Bytes(70_000, seed: 1);
        await Store.PutAsync("packs/ab/abcdef", data);
        Assert.Equal(data, await Store.GetAsync("packs/ab/abcdef"));
    }

    [Fact]
    public async Task Empty_file_round_trips()
    {
        await Store.PutAsync("index/empty", ReadOnlyMemory<byte>.Empty);
        Assert.Empty(await Store.GetAsync("index/empty"));
        Assert.Equal(0, (await Store.StatAsync("index/empty"))!.Value.Length);
    }

    [Fact]
    public async Task Putting_an_existing_name_throws_and_keeps_the_first_content()
    {
        await Store.PutAsync("config", "first"u8.ToArray());
        var e = await Assert.ThrowsAsync<BlobAlreadyExistsException>(async () => await Store.PutAsync("config", "second"u8.ToArray()));
        Assert.Equal("'config' already exists in the blob store", e.Message);
        Assert.Equal("first"u8.ToArray(), await Store.GetAsync("config"));
    }

    [Fact]
    public async Task Ranged_reads_return_the_requested_window_and_short_reads_only_at_the_end()
    {
        var data = Bytes(10_000, seed: 2);
        await Store.PutAsync("packs/00/range", data);
        var window = new byte[100];
        Assert.Equal(100, await Store.ReadAsync("packs/00/range", 4_321, window));
        Assert.Equal(data.AsSpan(4_321, 100).ToArray(), window);
        Assert.Equal(50, await Store.ReadAsync("packs/00/range", 9_950, window));
        Assert.Equal(data.AsSpan(9_950, 50).ToArray(), window.AsSpan(0, 50).ToArray());
        Assert.Equal(0, await Store.ReadAsync("packs/00/range", 10_000, window));
        Assert.Equal(0, await Store.ReadAsync("packs/00/range", 20_000, window));
    }

    [Fact]
    public async Task Missing_names_throw_typed_errors_on_read_and_return_null_or_false_elsewhere()
    {
        var get = await Assert.ThrowsAsync<RepositoryObjectMissingException>(async () => await Store.GetAsync("snapshots/nothere"));
        Assert.Equal("snapshots/nothere", get.FileName);
        await Assert.ThrowsAsync<RepositoryObjectMissingException>(async () => await Store.ReadAsync("snapshots/nothere", 0, new byte[4]));
        Assert.Null(await Store.StatAsync("snapshots/nothere"));
        Assert.False(await Store.DeleteAsync("snapshots/nothere"));
    }

    [Fact]
    public async Task List_filters_by_prefix_including_partial_segments_and_sorts_ordinally()
    {
        foreach (var name in new[] { "wal/000000020000000000000001.full.bb", "wal/000000010000000000000002.full.aa",
                     "wal/000000010000000000000001.full.cc", "index/x", "walrus" })
            await Store.PutAsync(name, Encoding.ASCII.GetBytes(name));

        Assert.Equal(["wal/000000010000000000000001.full.cc", "wal/000000010000000000000002.full.aa"],
            await Names("wal/00000001"));
        Assert.Equal(3, (await Names("wal/")).Count);
        Assert.Equal(5, (await Names("")).Count);
        Assert.Empty(await Names("snapshots/"));
        await foreach (var info in Store.ListAsync("index/"))
            Assert.Equal(7, info.Length);
    }

    [Fact]
    public async Task Delete_removes_the_file_from_reads_and_lists()
    {
        await Store.PutAsync("locks/a1", "x"u8.ToArray());
        Assert.True(await Store.DeleteAsync("locks/a1"));
        Assert.Empty(await Names("locks/"));
        Assert.Null(await Store.StatAsync("locks/a1"));
        await Store.PutAsync("locks/a1", "y"u8.ToArray());
        Assert.Equal("y"u8.ToArray(), await Store.GetAsync("locks/a1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("../escape")]
    [InlineData("packs/.tmp-1")]
    [InlineData("sp ace")]
    public async Task Invalid_names_are_rejected(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.PutAsync(name, new byte[1]));
    }

    [Fact]
    public async Task Concurrent_puts_of_distinct_names_all_land()
    {
        await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Store.PutAsync($"packs/{i:x2}/p{i}", Bytes(1000 + i, i)).AsTask()));
        var names = await Names("packs/");
        Assert.Equal(32, names.Count);
        Assert.Equal(Bytes(1017, 17), await Store.GetAsync("packs/11/p17"));
    }

    [Fact]
    public async Task Concurrent_puts_of_one_name_leave_exactly_one_winner()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await Store.PutAsync("config", Bytes(64, i));
                return i;
            }
            catch (BlobAlreadyExistsException)
            {
                return -1;
            }
        }));
        var winners = results.Where(r => r >= 0).ToList();
        Assert.Single(winners);
        Assert.Equal(Bytes(64, winners[0]), await Store.GetAsync("config"));
    }

    protected async Task<List<string>> Names(string prefix)
    {
        var names = new List<string>();
        await foreach (var info in Store.ListAsync(prefix))
            names.Add(info.Name);
        return names;
    }

    protected static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

public sealed class MemoryStoreConformanceTests : BlobStoreConformanceTests
{
    protected override IBlobStore Store { get; } = new MemoryStore();
}

public sealed class FaultyStoreConformanceTests : BlobStoreConformanceTests
{
    protected override IBlobStore Store { get; } = new FaultyStore(new MemoryStore());
}

public sealed class LocalStoreConformanceTests : BlobStoreConformanceTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pgark-localstore-" + Guid.NewGuid().ToString("N"));

    public LocalStoreConformanceTests() => Store = new LocalStore(_root);

    protected override IBlobStore Store { get; }

    [Fact]
    public async Task Temporary_files_of_a_crashed_put_are_never_listed()
    {
        Directory.CreateDirectory(Path.Combine(_root, "packs", "ab"));
        await File.WriteAllBytesAsync(Path.Combine(_root, "packs", "ab", ".tmp-deadbeef"), new byte[10]);
        await Store.PutAsync("packs/ab/real", new byte[3]);
        Assert.Equal(["packs/ab/real"], await Names("packs/"));
        Assert.Single(((LocalStore)Store).FindTemporaryFiles(TimeSpan.Zero.Subtract(TimeSpan.FromMinutes(1))));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
