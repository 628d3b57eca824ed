using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Packs;

/// <summary>A finished pack, verified and ready to put.</summary>
public sealed record FinishedPack(ChunkId PackId, byte[] Bytes, IReadOnlyList<PackEntry> Entries)
{
    public string FileName => PackLayout.FileName(PackId);
}

/// <summary>
/// Appends stored chunks to one pack in memory (bounded by the configured target size plus one chunk) and finishes it
/// with header and trailer. Verify-before-publish (spec §6.2): every chunk is decoded and re-hashed right after encoding,
/// and the finished header is parsed back from the final bytes. Any failure there means the writer or its memory is
/// broken: <see cref="RepositoryCorruptionException"/> with <see cref="CorruptionCause.WriterBug"/>, and nothing is published.
/// Not thread-safe.
/// </summary>
public sealed class PackWriter
{
    private readonly StoredChunkCodec _codec;
    private readonly ChunkHasher _hasher;
    private readonly MemoryStream _body = new();
    private readonly List<PackEntry> _entries = [];

    public PackWriter(StoredChunkCodec codec, ChunkHasher hasher)
    {
        _codec = codec;
        _hasher = hasher;
    }

    public long Length => _body.Length;
    public int Count => _entries.Count;
    public IReadOnlyList<PackEntry> Entries => _entries;

    /// <summary>Encodes and appends one chunk whose id the caller computed with the repository's <see cref="ChunkHasher"/>.</summary>
    public PackEntry Add(ChunkId id, ChunkKind kind, ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length > FormatConstants.MaxChunkSize)
            throw new ArgumentException($"chunk of {plaintext.Length} bytes exceeds the {FormatConstants.MaxChunkSize}-byte limit", nameof(plaintext));
        Span<byte> aad = stackalloc byte[ChunkId.Size];
        id.WriteTo(aad);
        var stored = _codec.Encode(plaintext, aad, out var flags);
        var entry = new PackEntry(id, (uint)_body.Length, (uint)stored.Length, (uint)plaintext.Length, flags, kind);
        if (_body.Length + stored.Length > FormatConstants.MaxPackSize - (1 << 20))
            throw new InvalidOperationException("pack would exceed the maximum pack size; finish it first");
        Verify(stored, entry);
        _body.Write(stored);
        _entries.Add(entry);
        return entry;
    }

    public FinishedPack Finish()
    {
        if (_entries.Count == 0)
            throw new InvalidOperationException("an empty pack cannot be finished");
        var tail = PackHeaderCodec.EncodeHeaderAndTrailer(_entries, _codec.Box);
        _body.Write(tail);
        var bytes = _body.ToArray();
        var packId = ChunkHasher.FileId(bytes);
        VerifyHeader(bytes, packId);
        return new FinishedPack(packId, bytes, _entries.ToArray());
    }

    private void Verify(byte[] stored, in PackEntry entry)
    {
        try
        {
            _codec.DecodeVerified(stored, entry, _hasher);
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "(pack being written)", entry.Id.ToString(),
                $"chunk did not survive verify-before-publish: {e.Message}", e);
        }
    }

    private void VerifyHeader(byte[] bytes, ChunkId packId)
    {
        try
        {
            var parsed = PackHeaderCodec.ParsePack(bytes, _codec.Box);
            if (!parsed.SequenceEqual(_entries))
                throw new InvalidDataException("parsed header differs from the entries written");
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, PackLayout.FileName(packId), null,
                $"pack header did not survive verify-before-publish: {e.Message}", e);
        }
    }
}
