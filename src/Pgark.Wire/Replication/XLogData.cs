using System.Buffers;
using Pgark.Wire.Messages;

namespace Pgark.Wire.Replication;

/// <summary>
/// 'w' XLogData inside CopyData: <c>Byte1 'w', Int64 start of the WAL data, Int64 server's current end of WAL,
/// Int64 send time (µs since 2000-01-01), Byten WAL bytes</c>.
/// </summary>
public readonly struct XLogData
{
    public const byte Code = (byte)'w';
    public const int HeaderLength = 1 + 8 + 8 + 8;

    /// <summary>WAL position of the first byte of <see cref="Data"/>.</summary>
    public Lsn WalStart { get; init; }
    /// <summary>The server's current end of WAL (how far behind this stream is).</summary>
    public Lsn WalEnd { get; init; }
    public long SendTimeMicroseconds { get; init; }
    /// <summary>The WAL bytes: a slice of the receive buffer, valid until the next read of the stream.</summary>
    public ReadOnlySequence<byte> Data { get; init; }

    public DateTime SendTime => PgTimestamp.ToDateTime(SendTimeMicroseconds);

    /// <summary>Parses the CopyData payload (starting at the 'w').</summary>
    internal static XLogData Parse(in ReadOnlySequence<byte> copyData)
    {
        var reader = new PayloadReader(copyData, "XLogData");
        if (reader.ReadByte() != Code)
            ThrowHelper.ThrowProtocol("XLogData does not start with 'w'");
        return new XLogData
        {
            WalStart = new Lsn((ulong)reader.ReadInt64()),
            WalEnd = new Lsn((ulong)reader.ReadInt64()),
            SendTimeMicroseconds = reader.ReadInt64(),
            Data = reader.ReadRest(),
        };
    }
}
