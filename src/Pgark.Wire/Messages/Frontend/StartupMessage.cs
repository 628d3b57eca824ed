using System.IO.Pipelines;

namespace Pgark.Wire.Messages.Frontend;

/// <summary>
/// StartupMessage: <c>Int32 length, Int32 196608 (protocol 3.0), (String name, String value)*, Byte1 0</c>.
/// </summary>
internal static class StartupMessage
{
    public const int ProtocolVersion30 = 3 << 16;

    public static void Write(PipeWriter writer, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        int body = sizeof(int); // protocol version
        foreach (KeyValuePair<string, string> p in parameters)
            body += FrontendMessageWriter.CStringLength(p.Key) + FrontendMessageWriter.CStringLength(p.Value);
        body += 1; // terminating NUL

        var message = FrontendMessageWriter.StartUntyped(writer, body);
        message.WriteInt32(ProtocolVersion30);
        foreach (KeyValuePair<string, string> p in parameters)
        {
            message.WriteCString(p.Key);
            message.WriteCString(p.Value);
        }
        message.WriteByte(0);
        message.Complete();
    }
}
