namespace Pgark.Wire.Messages.Frontend;

/// <summary>SSLRequest: <c>Int32 8, Int32 80877103</c>. Answered by one unframed byte, 'S' or 'N'.</summary>
internal static class SslRequest
{
    public const int Code = 80877103; // (1234 << 16) | 5679

    public static byte[] Create()
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, 8);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), Code);
        return bytes;
    }
}
