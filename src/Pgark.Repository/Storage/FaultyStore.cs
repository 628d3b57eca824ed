using System.Runtime.CompilerServices;

namespace Pgark.Repository.Storage;

/// <summary>Operations a <see cref="FaultyStore"/> rule can target.</summary>
public enum BlobOperation
{
    Put,
    Read,
    Get,
    Stat,
    List,
    Delete,
}

/// <summary>What an injected fault does.</summary>
public enum FaultKind
{
    /// <summary>Throw <see cref="RepositoryStorageException"/> before the operation has any effect.</summary>
    FailBefore,
    /// <summary>Perform the operation, then throw: the acknowledgement was lost.</summary>
    FailAfter,
    /// <summary>Put only: store the first half of the bytes under the name, then throw (a non-atomic backend crashing mid-write).</summary>
    TornWrite,
    /// <summary>Read/Get only: return the data with one bit flipped.</summary>
    FlipBit,
}

/// <summary>
/// Wraps a store and injects faults on a schedule: each rule fires on the matching operation after skipping
/// <c>skip</c> matches, for <c>times</c> occurrences. With no rules it is a transparent pass-through, and it runs
/// the conformance suite like any store.
/// </summary>
public sealed class FaultyStore : IBlobStore
{
    private readonly IBlobStore _inner;
    private readonly List<Rule> _rules = [];
    private readonly Lock _lock = new();
    private int _putsBeforeCrash = -1;
    private bool _crashed;

    public FaultyStore(IBlobStore inner) => _inner = inner;

    public IBlobStore Inner => _inner;

    /// <summary>Number of faults injected so far.</summary>
    public int Injected { get; private set; }

    /// <summary>Schedules a fault. <paramref name="namePrefix"/> limits it to names starting with that text.</summary>
    public void AddFault(BlobOperation operation, FaultKind kind, string? namePrefix = null, int skip = 0, int times = 1)
    {
        if (kind == FaultKind.TornWrite && operation != BlobOperation.Put)
            throw new ArgumentException("torn writes apply to Put only", nameof(kind));
        if (kind == FaultKind.FlipBit && operation is not (BlobOperation.Read or BlobOperation.Get))
            throw new ArgumentException("bit flips apply to Read and Get only", nameof(kind));
        lock (_lock)
            _rules.Add(new Rule(operation, kind, namePrefix, skip, times));
    }

    /// <summary>Every mutation after the first <paramref name="puts"/> puts fails before taking effect: a writer killed at that instant.</summary>
    public void CrashAfterPuts(int puts)
    {
        lock (_lock)
        {
            _putsBeforeCrash = puts;
            _crashed = puts == 0;
        }
    }

    /// <summary>True once <see cref="CrashAfterPuts"/> has taken effect.</summary>
    public bool Crashed
    {
        get
        {
            lock (_lock)
                return _crashed;
        }
    }

    public void ClearFaults()
    {
        lock (_lock)
        {
            _rules.Clear();
            _putsBeforeCrash = -1;
            _crashed = false;
        }
    }

    public async ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        switch (Next(BlobOperation.Put, name))
        {
            case FaultKind.FailBefore:
                throw Injected_(BlobOperation.Put, name);
            case FaultKind.TornWrite:
                await _inner.PutAsync(name, data[..(data.Length / 2)], cancellationToken).ConfigureAwait(false);
                throw Injected_(BlobOperation.Put, name);
            case FaultKind.FailAfter:
                await _inner.PutAsync(name, data, cancellationToken).ConfigureAwait(false);
                throw Injected_(BlobOperation.Put, name);
            default:
                await _inner.PutAsync(name, data, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    public async ValueTask<int> ReadAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var fault = Next(BlobOperation.Read, name);
        if (fault == FaultKind.FailBefore)
            throw Injected_(BlobOperation.Read, name);
        var read = await _inner.ReadAsync(name, offset, destination, cancellationToken).ConfigureAwait(false);
        if (fault == FaultKind.FailAfter)
            throw Injected_(BlobOperation.Read, name);
        if (fault == FaultKind.FlipBit && read > 0)
            destination.Span[read / 2] ^= 0x10;
        return read;
    }

    public async ValueTask<byte[]> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var fault = Next(BlobOperation.Get, name);
        if (fault == FaultKind.FailBefore)
            throw Injected_(BlobOperation.Get, name);
        var bytes = await _inner.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (fault == FaultKind.FailAfter)
            throw Injected_(BlobOperation.Get, name);
        if (fault == FaultKind.FlipBit && bytes.Length > 0)
            bytes[bytes.Length / 2] ^= 0x10;
        return bytes;
    }

    public async ValueTask<BlobInfo?> StatAsync(string name, CancellationToken cancellationToken = default)
    {
        var fault = Next(BlobOperation.Stat, name);
        if (fault == FaultKind.FailBefore)
            throw Injected_(BlobOperation.Stat, name);
        var info = await _inner.StatAsync(name, cancellationToken).ConfigureAwait(false);
        return fault == FaultKind.FailAfter ? throw Injected_(BlobOperation.Stat, name) : info;
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Next(BlobOperation.List, prefix) is FaultKind.FailBefore or FaultKind.FailAfter)
            throw Injected_(BlobOperation.List, prefix);
        await foreach (var info in _inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            yield return info;
    }

    public async ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var fault = Next(BlobOperation.Delete, name);
        if (fault == FaultKind.FailBefore)
            throw Injected_(BlobOperation.Delete, name);
        var deleted = await _inner.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        return fault == FaultKind.FailAfter ? throw Injected_(BlobOperation.Delete, name) : deleted;
    }

    private FaultKind? Next(BlobOperation operation, string name)
    {
        lock (_lock)
        {
            if (operation is BlobOperation.Put or BlobOperation.Delete)
            {
                if (_crashed)
                    return FaultKind.FailBefore;
                if (operation == BlobOperation.Put && _putsBeforeCrash >= 0 && --_putsBeforeCrash < 0)
                {
                    _crashed = true;
                    return FaultKind.FailBefore;
                }
            }
            foreach (var rule in _rules)
            {
                if (rule.Operation != operation || (rule.NamePrefix is not null && !name.StartsWith(rule.NamePrefix, StringComparison.Ordinal)))
                    continue;
                if (rule.Skip > 0)
                {
                    rule.Skip--;
                    continue;
                }
                if (rule.Times == 0)
                    continue;
                if (rule.Times != int.MaxValue)
                    rule.Times--;
                Injected++;
                return rule.Kind;
            }
            return null;
        }
    }

    private static RepositoryStorageException Injected_(BlobOperation operation, string name)
        => new($"injected fault: {operation} of '{name}' failed");

    private sealed class Rule(BlobOperation operation, FaultKind kind, string? namePrefix, int skip, int times)
    {
        public BlobOperation Operation { get; } = operation;
        public FaultKind Kind { get; } = kind;
        public string? NamePrefix { get; } = namePrefix;
        public int Skip { get; set; } = skip;
        public int Times { get; set; } = times;
    }
}
