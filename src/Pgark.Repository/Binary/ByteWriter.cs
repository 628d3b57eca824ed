using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Pgark.Repository.Binary;

/// <summary>Little-endian writer for pgark's persisted formats (spec §1: integers LE, strings u32 length + UTF-8).</summary>
internal sealed class ByteWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public ByteWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public int Length => _buffer.WrittenCount;
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;

    public void U8(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void I64(long value) => U64(unchecked((ulong)value));

    public void Zeros(int count) => Bytes(new byte[count]);

    public void Bytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void String(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        U32((uint)count);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count));
        _buffer.Advance(count);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
