using System.Buffers.Binary;

namespace Pgark.Wal.Reader;

/// <summary>Bounds-checked little-endian reads over a record's bytes; every Try* returns false instead of overrunning.</summary>
internal ref struct SpanCursor(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public bool TryByte(out byte value)
    {
        value = 0;
        if (Remaining < 1)
        {
            return false;
        }

        value = _data[_position++];
        return true;
    }

    public bool TryUInt16(out ushort value)
    {
        value = 0;
        if (Remaining < 2)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt16LittleEndian(_data[_position..]);
        _position += 2;
        return true;
    }

    public bool TryUInt32(out uint value)
    {
        value = 0;
        if (Remaining < 4)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return true;
    }

    public bool TryUInt64(out ulong value)
    {
        value = 0;
        if (Remaining < 8)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
        _position += 8;
        return true;
    }

    public bool TryInt64(out long value)
    {
        bool ok = TryUInt64(out ulong raw);
        value = (long)raw;
        return ok;
    }

    /// <summary>Reads an int count and checks that count items of <paramref name="itemSize"/> bytes can follow.</summary>
    public bool TryCount(int itemSize, out int count)
    {
        count = 0;
        if (!TryUInt32(out uint raw) || raw > (uint)(Remaining / Math.Max(itemSize, 1)))
        {
            return false;
        }

        count = (int)raw;
        return true;
    }

    public bool TryTake(int length, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (length < 0 || Remaining < length)
        {
            return false;
        }

        bytes = _data.Slice(_position, length);
        _position += length;
        return true;
    }

    /// <summary>A NUL-terminated string (twophase GID).</summary>
    public bool TryCString(out string? value)
    {
        value = null;
        int end = _data[_position..].IndexOf((byte)0);
        if (end < 0)
        {
            return false;
        }

        value = System.Text.Encoding.UTF8.GetString(_data.Slice(_position, end));
        _position += end + 1;
        return true;
    }

    public static RelFileLocator ReadLocator(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]));
}
