using System.Buffers;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>
/// The segment being received, held as the repository will store it: the frames already complete are compressed
/// (<see cref="Frames"/>: a few MiB of typical WAL, reused from segment to segment), and only the frame in progress is plaintext
/// (one <see cref="FormatConstants.WalFrameSize"/> buffer, the receiver's only plaintext copy). Tracks how much of the segment has
/// arrived and how much of that is durable in the repository. Pieces never cross a frame boundary: a frame that completes is
/// stored at once as one piece built from its compressed bytes, so bytes before <see cref="FrameStart"/> are always durable (or
/// about to be, between <see cref="AddFrameAsync"/> and the piece's store).
/// </summary>
internal sealed class WalSegmentBuffer
{
    public const int FrameSize = FormatConstants.WalFrameSize;

    private readonly byte[] _frame = GC.AllocateUninitializedArray<byte>(FrameSize, pinned: true);

    public WalSegmentBuffer(Repository.Repository repository, int segmentSize)
    {
        SegmentSize = segmentSize;
        Frames = new WalSegmentFrames(repository, segmentSize);
    }

    public int SegmentSize { get; }
    public TimelineId Timeline { get; private set; }
    public ulong SegmentNumber { get; private set; }

    /// <summary>The segment's complete frames, compressed, with the running content id.</summary>
    public WalSegmentFrames Frames { get; }

    /// <summary>Bytes from the segment start that have arrived.</summary>
    public int Received { get; private set; }

    /// <summary>Bytes from the segment start that are stored and verified (never more than <see cref="Received"/>).</summary>
    public int Durable { get; private set; }

    /// <summary>The first byte of the frame in progress (every byte before it is in <see cref="Frames"/>).</summary>
    public int FrameStart => Frames.PlainLength;

    /// <summary>The chunk id of the frame <see cref="AddFrameAsync"/> added last (the content id of the piece holding it).</summary>
    public ChunkId LastFrameId { get; private set; }

    /// <summary>
    /// The stored pieces and partials of this segment, in order, each with its merge level (0: one flush; L + 1: a merge of
    /// <see cref="WalReceiver.PiecesPerLevel"/> parts of level L; <see cref="ResumedLevel"/>: a whole-frame piece, or found in the
    /// archive, never merged again). All of them are deleted once the full segment is stored.
    /// </summary>
    public List<(WalSegmentObject Part, int Level)> Parts { get; } = [];

    public const int ResumedLevel = int.MaxValue;

    public Lsn Start => Lsn.FromSegment(SegmentNumber, 0, SegmentSize);
    public Lsn ReceivedEnd => Start + (ulong)Received;
    public Lsn DurableEnd => Start + (ulong)Durable;

    /// <summary>Every frame of the segment is in <see cref="Frames"/>: the Full object can be stored.</summary>
    public bool IsComplete => FrameStart == SegmentSize;

    /// <summary>The frame in progress has all its bytes: <see cref="AddFrameAsync"/> is due.</summary>
    public bool HasFullFrame => FrameStart < SegmentSize && Received == FrameStart + FrameSize;

    public bool HasUnstoredBytes => Received > Durable;

    /// <summary>Received bytes [<paramref name="start"/>, <paramref name="end"/>) of the segment, which must lie in the frame in progress.</summary>
    public ReadOnlyMemory<byte> Bytes(int start, int end)
    {
        if (start < FrameStart || end > Received || start > end)
            throw new InvalidOperationException($"bytes {start}..{end} are not in the frame in progress ({FrameStart}..{Received})");
        return _frame.AsMemory(start - FrameStart, end - start);
    }

    /// <summary>Starts receiving <paramref name="segmentNumber"/> of <paramref name="timeline"/> from its first byte.</summary>
    public void Begin(TimelineId timeline, ulong segmentNumber)
    {
        Timeline = timeline;
        SegmentNumber = segmentNumber;
        Received = 0;
        Durable = 0;
        Frames.Clear();
        Parts.Clear();
    }

    /// <summary>
    /// Continues a segment a previous run stored in parts: the prefix they hold counts as received and durable; its complete
    /// frames are compressed again (the Full object is built from them), the rest is the frame in progress.
    /// </summary>
    public async Task LoadStoredAsync(ReadOnlyMemory<byte> content, IEnumerable<WalSegmentObject> parts)
    {
        int whole = content.Length / FrameSize * FrameSize;
        for (int at = 0; at < whole; at += FrameSize)
            LastFrameId = await Frames.AddAsync(content.Slice(at, FrameSize)).ConfigureAwait(false);
        content.Span[whole..].CopyTo(_frame);
        Received = Durable = content.Length;
        foreach (WalSegmentObject part in parts)
            Parts.Add((part, ResumedLevel));
    }

    /// <summary>Copies as much of <paramref name="data"/> as fits the frame in progress; returns the number of bytes taken.</summary>
    public int Append(in ReadOnlySequence<byte> data)
    {
        int take = IsComplete ? 0 : (int)Math.Min(data.Length, FrameStart + FrameSize - Received);
        data.Slice(0, take).CopyTo(_frame.AsSpan(Received - FrameStart));
        Received += take;
        return take;
    }

    /// <summary>Compresses the full frame in progress into <see cref="Frames"/>; the next frame starts after it.</summary>
    public async Task AddFrameAsync()
    {
        if (!HasFullFrame)
            throw new InvalidOperationException($"the frame at {FrameStart} holds {Received - FrameStart} bytes, not {FrameSize}");
        LastFrameId = await Frames.AddAsync(_frame).ConfigureAwait(false);
    }

    /// <summary>Forgets bytes that arrived but were not stored (a lost connection: the server sends them again).</summary>
    public void DiscardUnstored()
    {
        // Bytes of frames already compressed cannot be taken back; they are stored before anything reads the connection again.
        if (Durable < FrameStart)
            throw new InvalidOperationException($"bytes {Durable}..{FrameStart} were compressed into frames but not stored");
        Received = Durable;
    }

    public void MarkDurable(int length) => Durable = length;
}
