using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Pgark.Wire.Messages;

/// <summary>
/// Reads the fields of one backend message payload. Every read checks the remaining length first and reports a
/// short payload as a <see cref="PgProtocolException"/> naming the message, never an IndexOutOfRange.
/// </summary>
internal ref struct PayloadReader
{
    private SequenceReader<byte> _reader;
    private readonly string _messageName;

    public PayloadReader(in ReadOnlySequence<byte> payload, string messageName)
    {
        _reader = new SequenceReader<byte>(payload);
        _messageName = messageName;
    }

    public readonly long Remaining => _reader.Remaining;
    public readonly bool End => _reader.End;

    public byte ReadByte()
    {
        if (!_reader.TryRead(out byte value))
            ThrowHelper.ThrowTruncated(_messageName);
        return value;
    }

    public short ReadInt16()
    {
        if (!_reader.TryReadBigEndian(out short value))
            ThrowHelper.ThrowTruncated(_messageName);
        return value;
    }

    public int ReadInt32()
    {
        if (!_reader.TryReadBigEndian(out int value))
            ThrowHelper.ThrowTruncated(_messageName);
        return value;
    }

    public long ReadInt64()
    {
        if (!_reader.TryReadBigEndian(out long value))
            ThrowHelper.ThrowTruncated(_messageName);
        return value;
    }

    /// <summary>A NUL-terminated UTF-8 string (client_encoding is always UTF8).</summary>
    public string ReadCString()
    {
        if (!_reader.TryReadTo(out ReadOnlySequence<byte> text, 0, advancePastDelimiter: true))
            ThrowHelper.ThrowProtocol($"{_messageName} message has a string without its NUL terminator (connection desynchronized)");
        return Encoding.UTF8.GetString(text);
    }

    /// <summary>The next <paramref name="count"/> bytes as a slice of the payload (no copy).</summary>
    public ReadOnlySequence<byte> ReadBytes(long count)
    {
        if (count < 0 || _reader.Remaining < count)
            ThrowHelper.ThrowTruncated(_messageName);
        ReadOnlySequence<byte> slice = _reader.UnreadSequence.Slice(0, count);
        _reader.Advance(count);
        return slice;
    }

    public ReadOnlySequence<byte> ReadRest()
    {
        ReadOnlySequence<byte> rest = _reader.UnreadSequence;
        _reader.AdvanceToEnd();
        return rest;
    }

    /// <summary>Fixed-size messages must be consumed exactly; trailing bytes mean the framing is wrong.</summary>
    public readonly void ExpectEnd()
    {
        if (!_reader.End)
            ThrowHelper.ThrowProtocol($"{_messageName} message has {_reader.Remaining} unexpected trailing bytes (connection desynchronized)");
    }
}
