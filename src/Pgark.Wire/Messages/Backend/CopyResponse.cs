using System.Buffers;

namespace Pgark.Wire.Messages.Backend;

/// <summary>
/// 'G' CopyInResponse, 'H' CopyOutResponse, 'W' CopyBothResponse: <c>Int8 overall format (0 text, 1 binary),
/// Int16 column count, Int16 format per column</c>.
/// </summary>
internal static class CopyResponse
{
    public static (bool Binary, short ColumnCount) Parse(in ReadOnlySequence<byte> payload, string messageName)
    {
        var reader = new PayloadReader(payload, messageName);
        byte format = reader.ReadByte();
        short columns = reader.ReadInt16();
        if (format > 1 || columns < 0 || reader.Remaining != columns * 2L)
            ThrowHelper.ThrowProtocol($"{messageName} has format {format} and {columns} columns in {reader.Remaining} bytes");
        for (int i = 0; i < columns; i++)
        {
            short columnFormat = reader.ReadInt16();
            if (columnFormat is not (0 or 1))
                ThrowHelper.ThrowProtocol($"{messageName} column {i} has unknown format code {columnFormat}");
        }
        return (format == 1, columns);
    }
}
