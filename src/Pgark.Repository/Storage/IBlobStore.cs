namespace Pgark.Repository.Storage;

/// <summary>Name and size of a stored file.</summary>
public readonly record struct BlobInfo(string Name, long Length);

/// <summary>
/// The storage backend: a flat namespace of immutable named files (spec §2).
/// Contract, checked by the conformance suite in tests/Pgark.Repository.Tests/Storage:
/// <list type="bullet">
/// <item><see cref="PutAsync"/> is atomic: after a crash the name holds all of <c>data</c> or does not exist, and a completed
/// put survives power loss. Putting an existing name throws <see cref="BlobAlreadyExistsException"/> and changes nothing.</item>
/// <item>Reads of a missing name throw <see cref="RepositoryObjectMissingException"/>; <see cref="StatAsync"/> returns null.</item>
/// <item><see cref="ListAsync"/> returns names starting with the prefix in ordinal order; temporary files are never listed.</item>
/// <item><see cref="DeleteAsync"/> of a missing name returns false (deletes are idempotent so prune can resume).</item>
/// <item>Failures of the medium surface as <see cref="RepositoryStorageException"/>; callers may retry any operation.</item>
/// </list>
/// </summary>
public interface IBlobStore
{
    ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="offset"/>; returns fewer only at end of file.</summary>
    ValueTask<int> ReadAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>The whole file.</summary>
    ValueTask<byte[]> GetAsync(string name, CancellationToken cancellationToken = default);

    ValueTask<BlobInfo?> StatAsync(string name, CancellationToken cancellationToken = default);

    IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);

    ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);
}
