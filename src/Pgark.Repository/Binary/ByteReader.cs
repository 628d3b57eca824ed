using System.Buffers.Binary;
using System.Text;

namespace Pgark.Repository.Binary;

/// <summary>
/// Bounds-checked little-endian reader. Every malformed input ends in <see cref="InvalidDataException"/> naming what was
/// expected and where; callers turn that into a <see cref="RepositoryCorruptionException"/> that names the file.
/// </summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ByteReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _data.Length - _position;

    public byte U8(string field) => Take(1, field)[0];
    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));
    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
    public ulong U64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));
    public long I64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));

    public ReadOnlySpan<byte> Bytes(int count, string field) => Take(count, field);

    public string String(string field, int maxLength = 1 << 20)
    {
        var length = U32(field + " length");
        if (length > maxLength)
            throw new InvalidDataException($"{field} is {length} bytes, more than the limit of {maxLength}");
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take((int)length, field));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{field} is not valid UTF-8", e);
        }
    }

    /// <summary>Reserved fields must be zero (spec §1) so a later version can give them meaning.</summary>
    public void Reserved(int count, string field)
    {
        var bytes = Take(count, field);
        if (bytes.ContainsAnyExcept((byte)0))
            throw new InvalidDataException($"reserved field {field} is not zero");
    }

    public readonly void ExpectEnd(string what)
    {
        if (_position != _data.Length)
            throw new InvalidDataException($"{_data.Length - _position} unexpected bytes after the end of {what}");
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || count > _data.Length - _position)
            throw new InvalidDataException($"truncated: {field} needs {count} bytes at offset {_position}, {_data.Length - _position} left");
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
