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

    /// <summary>The newest partial object of this segment, deleted once a longer one or the full segment is stored.</summary>
    public List<WalSegmentObject> StoredPartials { get; } = [];

    public Lsn Start => Lsn.FromSegment(SegmentNumber, 0, SegmentSize);
    public Lsn ReceivedEnd => Start + (ulong)Received;
    public Lsn DurableEnd => Start + (ulong)Durable;
    public bool IsComplete => Received == SegmentSize;
    public bool HasUnstoredBytes => Received > Durable;
    public ReadOnlyMemory<byte> ReceivedBytes => _bytes.AsMemory(0, Received);

    /// <summary>Starts receiving <paramref name="segmentNumber"/> of <paramref name="timeline"/> from its first byte.</summary>
    public void Begin(TimelineId timeline, ulong segmentNumber)
    {
        Timeline = timeline;
        SegmentNumber = segmentNumber;
        Received = 0;
        Durable = 0;
        StoredPartials.Clear();
    }

    /// <summary>Continues a segment a previous run stored as a partial: its bytes count as received and durable.</summary>
    public void LoadStored(ReadOnlySpan<byte> content, WalSegmentObject partial)
    {
        content.CopyTo(_bytes);
        Received = Durable = content.Length;
        StoredPartials.Add(partial);
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
