using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Objects;

namespace Pgark.Repository.Index;

/// <summary>
/// Reads index delta files one after another into two buffers reused for every delta (the file, then its body): a load or
/// a prune rewrite leaves no large array behind per delta, which the GC frees only in a full collection and which made the
/// process's peak several times the index (spec §10.2). Each file is still verified whole against its name (BLAKE3)
/// before its body is decoded. The reader handed out reads the body buffer, so it is valid until the next read.
/// </summary>
internal sealed class IndexDeltaFiles(Repository repository)
{
    private byte[] _file = [];
    private byte[] _body = [];

    /// <param name="length">The file's length from the listing (a file shorter than listed fails its hash check).</param>
    public async Task<IndexDeltaReader> ReadAsync(string name, long length, CancellationToken cancellationToken)
    {
        if (length > Array.MaxLength)
            throw new RepositoryCorruptionException(CorruptionCause.StorageDamage, name, null, $"an index delta of {length} bytes is larger than any pgark writes");
        if (_file.Length < length)
            _file = GC.AllocateUninitializedArray<byte>((int)length);
        var read = 0;
        while (read < length)
        {
            var n = await repository.Store.ReadAsync(name, read, _file.AsMemory(read, (int)length - read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
                break;
            read += n;
        }
        var file = _file.AsMemory(0, read);
        var actual = ChunkHasher.FileId(file.Span);
        if (actual != Repository.FileIdOf(name))
            throw new RepositoryCorruptionException(CorruptionCause.StorageDamage, name, null,
                $"content ({read} bytes) hashes to {actual.ToShortString()}, not to its name");
        return Repository.Decode(name, file, f =>
        {
            var bodyLength = ObjectEnvelope.DecodeInto(name, f.Span, ObjectType.Index, repository.Box, ref _body);
            return new IndexDeltaReader(_body.AsMemory(0, bodyLength));
        });
    }
}
