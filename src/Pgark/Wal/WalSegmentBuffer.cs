using System.Buffers;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>
/// The segment being received: one wal_segment_size buffer (the receiver's only large allocation, reused from
/// segment to segment), how much of it has arrived and how much of that is durable in the repository.
/// </summary>
internal sealed class WalSegmentBuffer
{
    private readonly byte[] _bytes;

    public WalSegmentBuffer(int segmentSize)
    {
        SegmentSize = segmentSize;
        _bytes = new byte[segmentSize];
    }

    public int SegmentSize { get; }
    public TimelineId Timeline { get; private set; }
    public ulong SegmentNumber { get; private set; }

    /// <summary>Bytes from the segment start that have arrived.</summary>
    public int Received { get; private set; }

    /// <summary>Bytes from the segment start that are stored and verified (never more than <see cref="Received"/>).</summary>
    public int Durable { get; private set; }

    /// <summary>
    /// The stored pieces and partials of this segment, in order, each with its merge level (0: one flush; L + 1: a merge of
    /// <see cref="WalReceiver.PiecesPerLevel"/> parts of level L; <see cref="ResumedLevel"/>: found in the archive, never merged
    /// again). All of them are deleted once the full segment is stored.
    /// </summary>
    public List<(WalSegmentObject Part, int Level)> Parts { get; } = [];

    public const int ResumedLevel = int.MaxValue;

    public Lsn Start => Lsn.FromSegment(SegmentNumber, 0, SegmentSize);
    public Lsn ReceivedEnd => Start + (ulong)Received;
    public Lsn DurableEnd => Start + (ulong)Durable;
    public bool IsComplete => Received == SegmentSize;
    public bool HasUnstoredBytes => Received > Durable;
    public ReadOnlyMemory<byte> ReceivedBytes => _bytes.AsMemory(0, Received);

    /// <summary>Received bytes [<paramref name="start"/>, <paramref name="end"/>) of the segment.</summary>
    public ReadOnlyMemory<byte> Bytes(int start, int end) => _bytes.AsMemory(start, end - start);

    /// <summary>Starts receiving <paramref name="segmentNumber"/> of <paramref name="timeline"/> from its first byte.</summary>
    public void Begin(TimelineId timeline, ulong segmentNumber)
    {
        Timeline = timeline;
        SegmentNumber = segmentNumber;
        Received = 0;
        Durable = 0;
        Parts.Clear();
    }

    /// <summary>Continues a segment a previous run stored in parts: the prefix they hold counts as received and durable.</summary>
    public void LoadStored(ReadOnlySpan<byte> content, IEnumerable<WalSegmentObject> parts)
    {
        content.CopyTo(_bytes);
        Received = Durable = content.Length;
        foreach (WalSegmentObject part in parts)
            Parts.Add((part, ResumedLevel));
    }

    /// <summary>Copies as much of <paramref name="data"/> as fits this segment; returns the number of bytes taken.</summary>
    public int Append(in ReadOnlySequence<byte> data)
    {
        int take = (int)Math.Min(data.Length, SegmentSize - Received);
        data.Slice(0, take).CopyTo(_bytes.AsSpan(Received));
        Received += take;
        return take;
    }

    /// <summary>Forgets bytes that arrived but were not stored (a lost connection: the server sends them again).</summary>
    public void DiscardUnstored() => Received = Durable;

    public void MarkDurable(int length) => Durable = length;
}
