using System.Buffers;

namespace Pgark.Wire.Messages.Backend;

/// <summary>
/// 'D' DataRow: <c>Int16 count</c>, then per field <c>Int32 length</c> (-1 = NULL) and that many bytes.
/// Parsing records each field's offset and length into a caller-owned array that is reused row after row, so
/// reading rows allocates nothing; values stay in the receive buffer until the next message is read.
/// </summary>
internal static class DataRow
{
    /// <summary>Fills <paramref name="fields"/> with (offset into payload, length or -1) pairs; grows it when needed.</summary>
    public static int Parse(in ReadOnlySequence<byte> payload, ref (long Offset, int Length)[] fields)
    {
        var reader = new PayloadReader(payload, "DataRow");
        short count = reader.ReadInt16();
        if (count < 0 || count * 4L > reader.Remaining)
            ThrowHelper.ThrowProtocol($"DataRow declares {count} fields but carries {reader.Remaining} bytes");
        if (fields.Length < count)
            fields = new (long, int)[Math.Max(count, fields.Length * 2)];
        for (int i = 0; i < count; i++)
        {
            int length = reader.ReadInt32();
            if (length < -1)
                ThrowHelper.ThrowProtocol($"DataRow field {i} has negative length {length}");
            long offset = payload.Length - reader.Remaining;
            if (length > 0)
                reader.ReadBytes(length);
            fields[i] = (offset, length);
        }
        reader.ExpectEnd();
        return count;
    }
}
