using Pgark.Repository.Codecs;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Objects;
using Pgark.Repository.Packs;

namespace Pgark.Repository.Wal;

/// <summary>
/// A WAL segment built frame by frame as it arrives (spec §8, §8.1): each <see cref="FormatConstants.WalFrameSize"/> frame is
/// compressed (not yet sealed: the associated data names the object's content id, known only at the end) and verified the
/// moment it is complete, and its bytes feed the segment's content id, so the receiver can forget the frame's plaintext. The
/// segment's Full object, and the one-frame pieces that persist it meanwhile, are written from these frames
/// (<see cref="WalArchive.ArchiveSegmentFramesAsync"/>, <see cref="WalArchive.ArchiveFramePieceAsync"/>). A streamer then holds the
/// compressed segment (a few MiB of typical WAL, never more than the segment) instead of its plaintext.
/// <para>
/// The frames sit in one buffer, reused from segment to segment, laid out as the unencrypted Full object: room for the envelope
/// header, the body's fixed header and the frame table of a whole segment first, then the stored frames back to back. Storing
/// the Full object then needs no second copy. Not thread-safe: one receiver owns it.
/// </para>
/// </summary>
public sealed class WalSegmentFrames
{
    private readonly Repository _repository;
    private readonly List<(int Start, int Stored, int Plain, ChunkFlags Flags)> _frames = [];
    private readonly Blake3Hasher _contentHasher;
    private byte[] _buffer;
    private int _end;

    public WalSegmentFrames(Repository repository, int segmentSize)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (segmentSize < FormatConstants.WalFrameSize || segmentSize % FormatConstants.WalFrameSize != 0)
            throw new ArgumentOutOfRangeException(nameof(segmentSize), "a segment is a whole number of WAL frames");
        _repository = repository;
        SegmentSize = segmentSize;
        HeadRoom = ObjectEnvelope.HeaderSize + WalObject.FixedSize + segmentSize / FormatConstants.WalFrameSize * WalObject.FrameEntrySize;
        _contentHasher = repository.Hasher.CreateIncremental();
        // Room for the worst case (every frame stored raw) from the start, so the buffer never grows by copying (old and new
        // copy resident at once, a spike of the whole compressed segment). Uninitialized and pinned: pages no frame reached are
        // never written, so they cost address space, not resident memory.
        _buffer = GC.AllocateUninitializedArray<byte>(HeadRoom + segmentSize / FormatConstants.WalFrameSize
            * StoredChunkCodec.CompressBound(FormatConstants.WalFrameSize), pinned: true);
        _end = HeadRoom;
    }

    public int SegmentSize { get; }

    /// <summary>Complete frames held.</summary>
    public int Count => _frames.Count;

    /// <summary>Plaintext bytes the frames hold (from the segment's first byte).</summary>
    public int PlainLength => _frames.Count * FormatConstants.WalFrameSize;

    /// <summary>Stored bytes of the frames (what the Full object will hold besides its headers).</summary>
    public int StoredLength => _end - HeadRoom;

    internal int HeadRoom { get; }

    /// <summary>Forgets every frame: the next segment starts.</summary>
    public void Clear()
    {
        _frames.Clear();
        _contentHasher.Reset();
        _end = HeadRoom;
    }

    /// <summary>
    /// Compresses and verifies the segment's next frame (exactly <see cref="FormatConstants.WalFrameSize"/> bytes) on the WAL
    /// encoder thread, and adds it to the content id; returns the frame's own chunk id (the content id of a piece holding only
    /// this frame). <paramref name="plainFrame"/> may be reused once the task completes.
    /// </summary>
    public Task<ChunkId> AddAsync(ReadOnlyMemory<byte> plainFrame)
    {
        if (plainFrame.Length != FormatConstants.WalFrameSize || PlainLength + plainFrame.Length > SegmentSize)
            throw new ArgumentException($"a frame of {plainFrame.Length} bytes does not continue a segment holding {PlainLength} of {SegmentSize}",
                nameof(plainFrame));
        return WalEncoderThread.RunAsync(() => Add(plainFrame.Span));
    }

    /// <summary>The content id of the whole segment (every frame added).</summary>
    public ChunkId ContentId()
    {
        Span<byte> digest = stackalloc byte[ChunkId.Size];
        _contentHasher.Finalize(digest);
        return new ChunkId(digest);
    }

    private ChunkId Add(ReadOnlySpan<byte> plain)
    {
        EnsureCapacity(_end + StoredChunkCodec.CompressBound(plain.Length));
        var codec = _repository.Codec;
        var stored = codec.Compress(plain, _buffer.AsSpan(_end), out var flags);
        // Verify before publish, frame by frame while the plaintext is still here: the objects built from this frame later can
        // only check that it decodes to bytes with the right content id.
        if (!StoredChunkCodec.PayloadDecodesTo(_buffer.AsSpan(_end, stored), flags, plain))
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "wal/", null, "a compressed WAL frame does not decode to its bytes");
        _contentHasher.Update(plain);
        _frames.Add((_end, stored, plain.Length, flags));
        _end += stored;
        return _repository.Hasher.Compute(plain);
    }

    /// <summary>Frame <paramref name="index"/>'s stored (compressed, unsealed) bytes, plaintext length and flags.</summary>
    internal (ReadOnlyMemory<byte> Payload, int Plain, ChunkFlags Flags) Frame(int index)
    {
        var (start, stored, plain, flags) = _frames[index];
        return (_buffer.AsMemory(start, stored), plain, flags);
    }

    /// <summary>The buffer from its first byte to the end of the last frame: the Full object once its headers are written.</summary>
    internal Memory<byte> ObjectSpace => _buffer.AsMemory(0, _end);

    // Grown in whole MiB and kept: resident memory holds the largest compressed segment, not one allocation per segment. On the
    // pinned object heap, which no collection compacts: a compaction would copy the whole buffer and make its unused tail resident.
    private void EnsureCapacity(int needed)
    {
        if (_buffer.Length >= needed)
            return;
        var grown = GC.AllocateUninitializedArray<byte>((needed + (1 << 20) - 1) & ~((1 << 20) - 1), pinned: true);
        _buffer.AsSpan(0, Math.Min(_buffer.Length, _end)).CopyTo(grown);
        _buffer = grown;
    }
}
