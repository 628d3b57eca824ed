using System.Buffers;
using Pgark.Wire.Messages;

namespace Pgark.Wire.Replication;

/// <summary>
/// 'k' Primary keepalive inside CopyData: <c>Byte1 'k', Int64 server's current end of WAL, Int64 send time,
/// Byte1 reply requested (1 = answer now with a standby status update or be disconnected at wal_sender_timeout)</c>.
/// </summary>
public readonly struct PrimaryKeepalive
{
    public const byte Code = (byte)'k';
    public const int Length = 1 + 8 + 8 + 1;

    public Lsn WalEnd { get; init; }
    public long SendTimeMicroseconds { get; init; }
    public bool ReplyRequested { get; init; }

    public DateTime SendTime => PgTimestamp.ToDateTime(SendTimeMicroseconds);

    internal static PrimaryKeepalive Parse(in ReadOnlySequence<byte> copyData)
    {
        var reader = new PayloadReader(copyData, "PrimaryKeepalive");
        if (reader.ReadByte() != Code)
            ThrowHelper.ThrowProtocol("PrimaryKeepalive does not start with 'k'");
        var keepalive = new PrimaryKeepalive
        {
            WalEnd = new Lsn((ulong)reader.ReadInt64()),
            SendTimeMicroseconds = reader.ReadInt64(),
            ReplyRequested = reader.ReadByte() switch
            {
                0 => false,
                1 => true,
                var other => ThrowHelper.ThrowProtocol<bool>($"PrimaryKeepalive reply flag is {other}, expected 0 or 1"),
            },
        };
        reader.ExpectEnd();
        return keepalive;
    }
}
