using System.Buffers.Binary;

namespace Pgark.Wire.Messages.Frontend;

/// <summary>
/// CancelRequest, sent on a fresh connection instead of a StartupMessage:
/// <c>Int32 16, Int32 80877102, Int32 process id, Int32 secret key</c>. The server answers nothing and closes.
/// </summary>
internal static class CancelRequest
{
    public const int Code = 80877102; // (1234 << 16) | 5678
    public const int Length = 4 + 4 + 4 + 4;

    public static byte[] Create(int processId, int secretKey)
    {
        var bytes = new byte[Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, Length);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), Code);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), processId);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), secretKey);
        return bytes;
    }
}
