using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Packs;

/// <summary>A finished pack, verified and ready to put.</summary>
public sealed record FinishedPack(ChunkId PackId, byte[] Bytes, IReadOnlyList<PackEntry> Entries)
{
    public string FileName => PackLayout.FileName(PackId);
}

/// <summary>A pack finished in its writer's buffer: <paramref name="File"/> is what to put; <paramref name="Buffer"/> may be reused after.</summary>
internal sealed record InPlacePack(ChunkId PackId, ReadOnlyMemory<byte> File, IReadOnlyList<PackEntry> Entries, byte[] Buffer)
{
    public string FileName => PackLayout.FileName(PackId);
}

/// <summary>A chunk compressed, sealed and verified, not yet placed in a pack.</summary>
public sealed record EncodedChunk(ChunkId Id, ChunkKind Kind, byte[] Stored, uint PlainLength, ChunkFlags Flags);

/// <summary>
/// As <see cref="EncodedChunk"/>, with the stored bytes in the first <see cref="Length"/> bytes of a buffer rented from
/// <see cref="Pool"/> (null: an ordinary array). <see cref="Release"/> it once appended to a pack or found a duplicate.
/// </summary>
internal sealed class RentedChunk(ChunkId id, ChunkKind kind, byte[] buffer, int length, uint plainLength, ChunkFlags flags,
    System.Buffers.ArrayPool<byte>? pool)
{
    private byte[]? _buffer = buffer;

    public ChunkId Id { get; } = id;
    public ChunkKind Kind { get; } = kind;
    public int Length { get; } = length;
    public uint PlainLength { get; } = plainLength;
    public ChunkFlags Flags { get; } = flags;
    public System.Buffers.ArrayPool<byte>? Pool { get; } = pool;

    public ReadOnlySpan<byte> Stored => (_buffer ?? throw new ObjectDisposedException(nameof(RentedChunk))).AsSpan(0, Length);

    public void Release()
    {
        if (_buffer is not null && Pool is not null)
            Pool.Return(_buffer);
        _buffer = null;
    }
}

/// <summary>
/// Appends stored chunks to one pack in memory (bounded by the configured target size plus one chunk) and finishes it
/// with header and trailer. Verify-before-publish (spec §6.2): every chunk is decoded and re-hashed right after encoding,
/// and the finished header is parsed back from the final bytes. Any failure there means the writer or its memory is
/// broken: <see cref="RepositoryCorruptionException"/> with <see cref="CorruptionCause.WriterBug"/>, and nothing is published.
/// The body grows by doubling up to <c>expectedLength</c> without zeroing, and <see cref="Finish"/> copies it once into the
/// file's bytes (a MemoryStream zeroed every growth and copied again in ToArray). Not thread-safe.
/// </summary>
public sealed class PackWriter
{
    private readonly StoredChunkCodec _codec;
    private readonly ChunkHasher _hasher;
    private readonly int _expectedLength;
    private readonly List<PackEntry> _entries = [];
    private byte[] _body = [];
    private int _length;
    private bool _finished;

    /// <param name="expectedLength">Bytes the caller expects to append (e.g. the pack target size plus one chunk); 0 grows on demand.</param>
    /// <param name="buffer">A buffer to build the pack in, e.g. the previous pack's <see cref="InPlacePack.Buffer"/> once it is put.</param>
    public PackWriter(StoredChunkCodec codec, ChunkHasher hasher, int expectedLength = 0, byte[]? buffer = null)
    {
        _codec = codec;
        _hasher = hasher;
        _expectedLength = expectedLength;
        _body = buffer ?? [];
    }

    public long Length => _length;
    public int Count => _entries.Count;
    public IReadOnlyList<PackEntry> Entries => _entries;

    /// <summary>Encodes and appends one chunk whose id the caller computed with the repository's <see cref="ChunkHasher"/>.</summary>
    public PackEntry Add(ChunkId id, ChunkKind kind, ReadOnlySpan<byte> plaintext) => Append(Encode(_codec, _hasher, id, kind, plaintext));

    /// <summary>
    /// Compresses (and seals) one chunk and verifies it decodes back to its id. Thread-safe, so the ingest workers call it
    /// in parallel; <see cref="Append(EncodedChunk)"/> then places the result in the pack on the session's thread.
    /// </summary>
    public static EncodedChunk Encode(StoredChunkCodec codec, ChunkHasher hasher, ChunkId id, ChunkKind kind, ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length > FormatConstants.MaxChunkSize)
            throw new ArgumentException($"chunk of {plaintext.Length} bytes exceeds the {FormatConstants.MaxChunkSize}-byte limit", nameof(plaintext));
        Span<byte> aad = stackalloc byte[ChunkId.Size];
        id.WriteTo(aad);
        var stored = codec.Encode(plaintext, aad, out var flags);
        Verify(codec, id, stored, flags, plaintext);
        return new EncodedChunk(id, kind, stored, (uint)plaintext.Length, flags);
    }

    /// <summary>
    /// As <see cref="Encode"/>, the stored bytes in a buffer rented from <paramref name="pool"/> (the ingest workers' path);
    /// verified the same way before it returns.
    /// </summary>
    internal static RentedChunk EncodeRented(StoredChunkCodec codec, ChunkId id, ChunkKind kind, ReadOnlySpan<byte> plaintext,
        System.Buffers.ArrayPool<byte> pool)
    {
        if (plaintext.Length > FormatConstants.MaxChunkSize)
            throw new ArgumentException($"chunk of {plaintext.Length} bytes exceeds the {FormatConstants.MaxChunkSize}-byte limit", nameof(plaintext));
        Span<byte> aad = stackalloc byte[ChunkId.Size];
        id.WriteTo(aad);
        var (buffer, length, rentedFrom) = codec.EncodeRented(plaintext, aad, pool, out var flags);
        var chunk = new RentedChunk(id, kind, buffer, length, (uint)plaintext.Length, flags, rentedFrom);
        try
        {
            Verify(codec, id, chunk.Stored, flags, plaintext);
        }
        catch
        {
            chunk.Release();
            throw;
        }
        return chunk;
    }

    /// <summary>Appends a chunk that <see cref="Encode"/> produced and verified.</summary>
    public PackEntry Append(EncodedChunk chunk) => Append(chunk.Id, chunk.Kind, chunk.Stored, chunk.PlainLength, chunk.Flags);

    /// <summary>Appends a chunk that <see cref="EncodeRented"/> produced and verified; the caller may release it on return.</summary>
    internal PackEntry Append(RentedChunk chunk) => Append(chunk.Id, chunk.Kind, chunk.Stored, chunk.PlainLength, chunk.Flags);

    private PackEntry Append(ChunkId id, ChunkKind kind, ReadOnlySpan<byte> stored, uint plainLength, ChunkFlags flags)
    {
        if (_finished)
            throw new InvalidOperationException("the pack is finished; start a new one");
        if ((long)_length + stored.Length > FormatConstants.MaxPackSize - (1 << 20))
            throw new InvalidOperationException("pack would exceed the maximum pack size; finish it first");
        var entry = new PackEntry(id, (uint)_length, (uint)stored.Length, plainLength, flags, kind);
        EnsureCapacity(_length + stored.Length);
        stored.CopyTo(_body.AsSpan(_length));
        _length += stored.Length;
        _entries.Add(entry);
        return entry;
    }

    /// <summary>Finishes the pack into a new array of exactly the file's bytes.</summary>
    public FinishedPack Finish()
    {
        var tail = StartFinish();
        // Every byte is written below, so the file's array needs no zeroing.
        var bytes = GC.AllocateUninitializedArray<byte>(_length + tail.Length);
        _body.AsSpan(0, _length).CopyTo(bytes);
        tail.CopyTo(bytes, _length);
        _body = [];
        return Verified(bytes);
    }

    /// <summary>
    /// Finishes the pack in its own buffer (no copy): the file is <see cref="InPlacePack.File"/>, and once it is put the caller
    /// may hand <see cref="InPlacePack.Buffer"/> to the next writer (constructor <c>buffer</c>) instead of growing a new one.
    /// </summary>
    internal InPlacePack FinishInPlace()
    {
        var tail = StartFinish();
        EnsureCapacity(_length + tail.Length);
        tail.CopyTo(_body, _length);
        var buffer = _body;
        _body = [];
        var finished = VerifiedInPlace(buffer.AsMemory(0, _length + tail.Length));
        return new InPlacePack(finished.PackId, buffer.AsMemory(0, _length + tail.Length), finished.Entries, buffer);
    }

    private byte[] StartFinish()
    {
        if (_entries.Count == 0)
            throw new InvalidOperationException("an empty pack cannot be finished");
        if (_finished)
            throw new InvalidOperationException("the pack is already finished");
        _finished = true;
        return PackHeaderCodec.EncodeHeaderAndTrailer(_entries, _codec.Box);
    }

    private FinishedPack Verified(byte[] bytes)
    {
        var packId = ChunkHasher.FileId(bytes);
        VerifyHeader(bytes, packId);
        return new FinishedPack(packId, bytes, _entries.ToArray());
    }

    private (ChunkId PackId, PackEntry[] Entries) VerifiedInPlace(ReadOnlyMemory<byte> file)
    {
        var packId = ChunkHasher.FileId(file.Span);
        VerifyHeader(file.Span, packId);
        return (packId, _entries.ToArray());
    }

    /// <summary>
    /// Decodes the stored form and compares it with the plaintext the id was computed from: the same guarantee as
    /// re-hashing (the stored chunk yields the bytes its id names) at the cost of a memory compare instead of a hash.
    /// </summary>
    private static void Verify(StoredChunkCodec codec, ChunkId id, ReadOnlySpan<byte> stored, ChunkFlags flags, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> aad = stackalloc byte[ChunkId.Size];
        id.WriteTo(aad);
        try
        {
            if (!codec.DecodesTo(stored, flags, plaintext, aad))
                throw new InvalidDataException("decodes to bytes other than the plaintext");
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "(pack being written)", id.ToString(),
                $"chunk did not survive verify-before-publish: {e.Message}", e);
        }
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _body.Length)
            return;
        // Doubling (never past the expected length while the data fits in it): copies total at most the pack's size, and
        // uninitialized arrays skip zeroing bytes that are about to be overwritten.
        var capacity = Math.Max(needed, _body.Length == 0 ? 64 << 10 : 2 * _body.Length);
        if (needed <= _expectedLength)
            capacity = Math.Min(capacity, _expectedLength);
        var grown = GC.AllocateUninitializedArray<byte>(capacity);
        _body.AsSpan(0, _length).CopyTo(grown);
        _body = grown;
    }

    private void VerifyHeader(ReadOnlySpan<byte> bytes, ChunkId packId)
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
