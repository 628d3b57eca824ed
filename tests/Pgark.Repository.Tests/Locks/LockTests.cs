using Pgark.Repository.Format;
using Pgark.Repository.Locks;
using Pgark.Repository.Objects;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests.Locks;

public sealed class LockTests
{
    private readonly MemoryStore _store = new();

    private RepositoryOptions Options(bool othersAlive = true, string host = "testhost") => TestData.Options() with
    {
        Hostname = host,
        ProcessAliveProbe = (_, _) => othersAlive,
    };

    [Fact]
    public async Task Shared_locks_coexist_and_an_exclusive_lock_conflicts_with_a_live_shared_one()
    {
        await using var backup = await RepositoryLock.AcquireAsync(_store, LockKind.Shared, "backup", Options());
        await using var archiver = await RepositoryLock.AcquireAsync(_store, LockKind.Shared, "archive-wal", Options());
        var e = await Assert.ThrowsAsync<RepositoryLockConflictException>(() => RepositoryLock.AcquireAsync(_store, LockKind.Exclusive, "prune", Options()));
        Assert.StartsWith($"cannot take a exclusive lock for prune: shared lock for ", e.Message);
        Assert.Contains($"held by pid {Environment.ProcessId} on testhost", e.Message);
        Assert.Equal(2, await TestData.CountAsync(_store, "locks/"));
    }

    [Fact]
    public async Task A_shared_lock_conflicts_with_a_live_exclusive_one()
    {
        await using var prune = await RepositoryLock.AcquireAsync(_store, LockKind.Exclusive, "prune", Options());
        await Assert.ThrowsAsync<RepositoryLockConflictException>(() => RepositoryLock.AcquireAsync(_store, LockKind.Shared, "backup", Options()));
    }

    [Fact]
    public async Task A_same_host_lock_whose_process_is_gone_is_stale_whatever_its_age()
    {
        await PutLockAsync(LockKind.Exclusive, "testhost", heartbeatAge: TimeSpan.Zero);
        await using var held = await RepositoryLock.AcquireAsync(_store, LockKind.Shared, "backup", Options(othersAlive: false));
        Assert.Equal(LockKind.Shared, held.Record.Kind);
    }

    [Fact]
    public async Task A_same_host_lock_of_a_live_process_is_never_stolen_even_when_old()
    {
        await PutLockAsync(LockKind.Exclusive, "testhost", heartbeatAge: TimeSpan.FromDays(3));
        await Assert.ThrowsAsync<RepositoryLockConflictException>(() => RepositoryLock.AcquireAsync(_store, LockKind.Shared, "backup", Options()));
    }

    [Theory]
    [InlineData(29, false)]
    [InlineData(31, true)]
    public async Task Another_hosts_lock_is_stale_only_after_its_heartbeat_is_older_than_the_limit(int minutes, bool stale)
    {
        await PutLockAsync(LockKind.Exclusive, "otherhost", heartbeatAge: TimeSpan.FromMinutes(minutes));
        var acquire = () => RepositoryLock.AcquireAsync(_store, LockKind.Shared, "backup", Options());
        if (stale)
            await (await acquire()).DisposeAsync();
        else
            await Assert.ThrowsAsync<RepositoryLockConflictException>(acquire);
    }

    [Fact]
    public async Task Refresh_replaces_the_file_with_a_newer_heartbeat_and_dispose_removes_it()
    {
        var held = await RepositoryLock.AcquireAsync(_store, LockKind.Shared, "backup", Options());
        var (oldName, oldBeat) = (held.FileName, held.Record.Heartbeat);
        await held.RefreshAsync();
        Assert.NotEqual(oldName, held.FileName);
        Assert.True(held.Record.Heartbeat >= oldBeat);
        Assert.Null(await _store.StatAsync(oldName));
        await held.DisposeAsync();
        Assert.Equal(0, await TestData.CountAsync(_store, "locks/"));
    }

    private async Task PutLockAsync(LockKind kind, string host, TimeSpan heartbeatAge)
    {
        var beat = DateTimeOffset.UtcNow - heartbeatAge;
        var record = new LockRecord(kind, 4242, null, beat, beat, host, "prune");
        await _store.PutAsync("locks/" + new string('a', 32), ObjectEnvelope.Encode(ObjectType.Lock, record.EncodeBody(), false, null));
    }
}
