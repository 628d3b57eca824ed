using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Pgark.Repository.Storage;

/// <summary>An in-memory <see cref="IBlobStore"/> for tests. Copies on put and get so callers cannot alias stored bytes.</summary>
public sealed class MemoryStore : IBlobStore
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    public ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_files.TryAdd(name, data.ToArray()))
            throw new BlobAlreadyExistsException(name);
        return ValueTask.CompletedTask;
    }

    public ValueTask<int> ReadAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var file = Find(name);
        if (offset >= file.Length)
            return ValueTask.FromResult(0);
        var count = (int)Math.Min(destination.Length, file.Length - offset);
        file.AsSpan((int)offset, count).CopyTo(destination.Span);
        return ValueTask.FromResult(count);
    }

    public ValueTask<byte[]> GetAsync(string name, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Find(name).ToArray());

    public ValueTask<BlobInfo?> StatAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        return ValueTask.FromResult(_files.TryGetValue(name, out var file) ? new BlobInfo(name, file.Length) : (BlobInfo?)null);
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BlobName.ValidatePrefix(prefix);
        var matches = _files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(f => new BlobInfo(f.Key, f.Value.Length))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var match in matches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return match;
        }
        await Task.CompletedTask;
    }

    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        BlobName.Validate(name);
        return ValueTask.FromResult(_files.TryRemove(name, out _));
    }

    /// <summary>Test hook: replaces a file's bytes in place, the way a failing disk would.</summary>
    internal void Overwrite(string name, byte[] bytes) => _files[name] = bytes;

    private byte[] Find(string name)
    {
        BlobName.Validate(name);
        return _files.TryGetValue(name, out var file) ? file : throw new RepositoryObjectMissingException(name);
    }
}
