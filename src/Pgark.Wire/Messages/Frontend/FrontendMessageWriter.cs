using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;

namespace Pgark.Wire.Messages.Frontend;

/// <summary>
/// Writes one frontend message into a <see cref="PipeWriter"/> with explicit length accounting: the caller
/// declares the body length up front (as an annotated sum of field sizes), the header is written from it, and
/// <see cref="Complete"/> checks that exactly that many bytes were written. A mismatch is a pgark bug that would
/// desynchronize the server, so it throws before anything is committed to the pipe.
/// </summary>
internal ref struct FrontendMessageWriter
{
    private readonly PipeWriter _writer;
    private readonly Span<byte> _span;
    private int _position;

    private FrontendMessageWriter(PipeWriter writer, int total)
    {
        _writer = writer;
        _span = writer.GetSpan(total)[..total];
    }

    /// <summary>A typed message: <c>Byte1 code, Int32 length (4 + body), body</c>.</summary>
    /// <param name="headerOnly">True when the caller writes the <paramref name="bodyLength"/> body bytes itself,
    /// straight to the pipe after <see cref="Complete"/> (large CopyData payloads).</param>
    public static FrontendMessageWriter Start(PipeWriter writer, byte code, int bodyLength, bool headerOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyLength);
        if (bodyLength > int.MaxValue - 5)
            throw new ArgumentOutOfRangeException(nameof(bodyLength), "a protocol message cannot exceed 2 GiB");
        var message = new FrontendMessageWriter(writer, 1 + 4 + (headerOnly ? 0 : bodyLength));
        message.WriteByte(code);
        message.WriteInt32(4 + bodyLength);
        return message;
    }

    /// <summary>An untyped startup-phase message (StartupMessage, SSLRequest, CancelRequest): <c>Int32 length, body</c>.</summary>
    public static FrontendMessageWriter StartUntyped(PipeWriter writer, int bodyLength)
    {
        var message = new FrontendMessageWriter(writer, 4 + bodyLength);
        message.WriteInt32(4 + bodyLength);
        return message;
    }

    /// <summary>UTF-8 bytes plus the NUL terminator.</summary>
    public static int CStringLength(string value)
    {
        if (value.Contains('\0'))
            throw new ArgumentException("a protocol string cannot contain a NUL character", nameof(value));
        return Encoding.UTF8.GetByteCount(value) + 1;
    }

    public void WriteByte(byte value) => Take(1)[0] = value;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);

    public void WriteBytes(ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));

    public void WriteCString(string value)
    {
        int length = Encoding.UTF8.GetBytes(value, _span[_position..]);
        _position += length;
        WriteByte(0);
    }

    public void Complete()
    {
        if (_position != _span.Length)
            throw new InvalidOperationException($"frontend message declared {_span.Length} bytes but {_position} were written");
        _writer.Advance(_position);
    }

    private Span<byte> Take(int count)
    {
        if (_span.Length - _position < count)
            throw new InvalidOperationException($"frontend message overflows its declared {_span.Length} bytes");
        Span<byte> slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }
}
