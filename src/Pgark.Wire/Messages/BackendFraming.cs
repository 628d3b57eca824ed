using System.Buffers;
using System.Buffers.Binary;

namespace Pgark.Wire.Messages;

/// <summary>Outcome of looking for one whole backend message at the start of a buffer.</summary>
public enum FrameStatus
{
    /// <summary>A whole message is buffered; its code and payload are returned.</summary>
    Done,
    /// <summary>The header or payload is incomplete; read more and try again.</summary>
    NeedMoreData,
    /// <summary>The header is impossible (unknown code, bad length); the connection must be torn down.</summary>
    Invalid,
}

/// <summary>
/// Splits the backend byte stream into messages: <c>Byte1 code, Int32 length (including itself), payload</c>.
/// Pure function over a buffer so the connection, the replay tests and the fuzzer share one implementation.
/// </summary>
public static class BackendFraming
{
    /// <summary>Code byte plus the Int32 length.</summary>
    public const int HeaderLength = 5;

    /// <summary>
    /// Looks for one message at the start of <paramref name="buffer"/>. On <see cref="FrameStatus.Done"/>,
    /// <paramref name="payload"/> is a slice of <paramref name="buffer"/> (no copy) and the message ends at
    /// <c>payload.End</c>. On <see cref="FrameStatus.Invalid"/>, <paramref name="error"/> says what was wrong.
    /// </summary>
    public static FrameStatus TryRead(in ReadOnlySequence<byte> buffer, MessageLimits limits, out byte code,
        out ReadOnlySequence<byte> payload, out string? error)
    {
        payload = default;
        error = null;
        code = 0;
        if (buffer.Length < HeaderLength)
            return FrameStatus.NeedMoreData;

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        code = header[0];
        int length = BinaryPrimitives.ReadInt32BigEndian(header[1..]);
        int maxPayload = limits.MaxPayloadFor(code);
        if (maxPayload < 0)
        {
            error = $"unknown backend message code {BackendMessageCode.Describe(code)}";
            return FrameStatus.Invalid;
        }
        if (length < 4 || length - 4 > maxPayload)
        {
            error = $"backend message {BackendMessageCode.Describe(code)} has length {length}, outside 4..{4L + maxPayload}";
            return FrameStatus.Invalid;
        }
        if (buffer.Length < 1L + length)
            return FrameStatus.NeedMoreData;

        payload = buffer.Slice(HeaderLength, length - 4);
        return FrameStatus.Done;
    }
}
