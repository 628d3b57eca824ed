using System.Buffers;

namespace Pgark.Wire.Messages.Backend;

/// <summary>Transaction status carried by ReadyForQuery.</summary>
public enum TransactionStatus : byte
{
    Idle = (byte)'I',
    InTransaction = (byte)'T',
    Failed = (byte)'E',
}

/// <summary>'Z' ReadyForQuery: <c>Byte1 status</c> ('I', 'T' or 'E').</summary>
internal static class ReadyForQuery
{
    public static TransactionStatus Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new PayloadReader(payload, "ReadyForQuery");
        byte status = reader.ReadByte();
        reader.ExpectEnd();
        if (status is not ((byte)'I' or (byte)'T' or (byte)'E'))
            ThrowHelper.ThrowProtocol($"ReadyForQuery carries unknown transaction status 0x{status:X2}");
        return (TransactionStatus)status;
    }
}
