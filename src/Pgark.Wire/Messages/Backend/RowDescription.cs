using System.Buffers;

namespace Pgark.Wire.Messages.Backend;

/// <summary>One column of a RowDescription.</summary>
public sealed record PgColumn(string Name, uint TableOid, short ColumnNumber, uint TypeOid, short TypeSize, int TypeModifier,
    short FormatCode);

/// <summary>
/// 'T' RowDescription: <c>Int16 count</c>, then per column <c>String name, Int32 table oid, Int16 column number,
/// Int32 type oid, Int16 type size, Int32 type modifier, Int16 format code</c>.
/// </summary>
internal static class RowDescription
{
    private const int FixedBytesPerColumn = 4 + 2 + 4 + 2 + 4 + 2;

    public static PgColumn[] Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new PayloadReader(payload, "RowDescription");
        short count = reader.ReadInt16();
        // Each column needs at least its NUL and fixed fields: reject absurd counts before allocating.
        if (count < 0 || (long)count * (1 + FixedBytesPerColumn) > reader.Remaining)
            ThrowHelper.ThrowProtocol($"RowDescription declares {count} columns but carries {reader.Remaining} bytes");
        var columns = new PgColumn[count];
        for (int i = 0; i < columns.Length; i++)
        {
            columns[i] = new PgColumn(reader.ReadCString(), (uint)reader.ReadInt32(), reader.ReadInt16(), (uint)reader.ReadInt32(),
                reader.ReadInt16(), reader.ReadInt32(), reader.ReadInt16());
        }
        reader.ExpectEnd();
        return columns;
    }
}
