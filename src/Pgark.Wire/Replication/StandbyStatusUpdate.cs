using System.Buffers.Binary;

namespace Pgark.Wire.Replication;

/// <summary>
/// 'r' Standby status update, sent inside CopyData: <c>Byte1 'r', Int64 written+1, Int64 flushed+1,
/// Int64 applied+1 (each "the location of the last WAL byte + 1"), Int64 client time (µs since 2000-01-01),
/// Byte1 reply requested</c>. The flushed position is what lets the server recycle WAL held by a slot.
/// </summary>
public static class StandbyStatusUpdate
{
    public const byte Code = (byte)'r';
    public const int Length = 1 + 8 + 8 + 8 + 8 + 1;

    public static void Write(Span<byte> destination, Lsn written, Lsn flushed, Lsn applied, long clientTimeMicroseconds, bool replyRequested)
    {
        if (destination.Length < Length)
            throw new ArgumentException($"a standby status update needs {Length} bytes", nameof(destination));
        destination[0] = Code;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], written.Value);
        BinaryPrimitives.WriteUInt64BigEndian(destination[9..], flushed.Value);
        BinaryPrimitives.WriteUInt64BigEndian(destination[17..], applied.Value);
        BinaryPrimitives.WriteInt64BigEndian(destination[25..], clientTimeMicroseconds);
        destination[33] = replyRequested ? (byte)1 : (byte)0;
    }
}
