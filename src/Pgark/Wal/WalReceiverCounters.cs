namespace Pgark.Wal;

/// <summary>What a receiver has done so far (read from any thread; each counter is updated atomically).</summary>
public sealed class WalReceiverCounters
{
    private long _bytesReceived;
    private long _segmentsStored;
    private long _partialsStored;
    private long _statusUpdates;
    private long _reconnects;

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    public long SegmentsStored => Interlocked.Read(ref _segmentsStored);
    public long PartialsStored => Interlocked.Read(ref _partialsStored);
    public long StatusUpdates => Interlocked.Read(ref _statusUpdates);
    public long Reconnects => Interlocked.Read(ref _reconnects);

    internal void AddReceived(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);
    internal void SegmentStored() => Interlocked.Increment(ref _segmentsStored);
    internal void PartialStored() => Interlocked.Increment(ref _partialsStored);
    internal void StatusSent() => Interlocked.Increment(ref _statusUpdates);
    internal void Reconnected() => Interlocked.Increment(ref _reconnects);
}
