using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Packs;

/// <summary>A finished pack, verified and ready to put.</summary>
public sealed record FinishedPack(ChunkId PackId, byte[] Bytes, IReadOnlyList<PackEntry> Entries)
{
    public string FileName => PackLayout.FileName(PackId);
}

/// <summary>A chunk compressed, sealed and verified, not yet placed in a pack.</summary>
public sealed record EncodedChunk(ChunkId Id, ChunkKind Kind, byte[] Stored, uint PlainLength, ChunkFlags Flags);

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
    public PackEntry Add(ChunkId id, ChunkKind kind, ReadOnlySpan<byte> plaintext) => Append(Encode(_codec, _hasher, id, kind, plaintext));

    /// <summary>
    /// Compresses (and seals) one chunk and verifies it decodes back to its id. Thread-safe, so the ingest workers call it
    /// in parallel; <see cref="Append"/> then places the result in the pack on the session's thread.
    /// </summary>
    public static EncodedChunk Encode(StoredChunkCodec codec, ChunkHasher hasher, ChunkId id, ChunkKind kind, ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length > FormatConstants.MaxChunkSize)
            throw new ArgumentException($"chunk of {plaintext.Length} bytes exceeds the {FormatConstants.MaxChunkSize}-byte limit", nameof(plaintext));
        Span<byte> aad = stackalloc byte[ChunkId.Size];
        id.WriteTo(aad);
        var stored = codec.Encode(plaintext, aad, out var flags);
        var encoded = new EncodedChunk(id, kind, stored, (uint)plaintext.Length, flags);
        Verify(codec, encoded, plaintext);
        return encoded;
    }

    /// <summary>Appends a chunk that <see cref="Encode"/> produced and verified.</summary>
    public PackEntry Append(EncodedChunk chunk)
    {
        if (_body.Length + chunk.Stored.Length > FormatConstants.MaxPackSize - (1 << 20))
            throw new InvalidOperationException("pack would exceed the maximum pack size; finish it first");
        var entry = new PackEntry(chunk.Id, (uint)_body.Length, (uint)chunk.Stored.Length, chunk.PlainLength, chunk.Flags, chunk.Kind);
        _body.Write(chunk.Stored);
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

    /// <summary>
    /// Decodes the stored form and compares it with the plaintext the id was computed from: the same guarantee as
    /// re-hashing (the stored chunk yields the bytes its id names) at the cost of a memory compare instead of a hash.
    /// </summary>
    private static void Verify(StoredChunkCodec codec, EncodedChunk chunk, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> aad = stackalloc byte[ChunkId.Size];
        chunk.Id.WriteTo(aad);
        try
        {
            if (!codec.DecodesTo(chunk.Stored, chunk.Flags, plaintext, aad))
                throw new InvalidDataException("decodes to bytes other than the plaintext");
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "(pack being written)", chunk.Id.ToString(),
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
