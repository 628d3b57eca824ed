using System.IO.Pipelines;

namespace Pgark.Wire.Messages.Frontend;

/// <summary>
/// 'p' PasswordMessage and its SASL variants (same code, meaning depends on the auth step):
/// PasswordMessage <c>String password</c>; SASLInitialResponse <c>String mechanism, Int32 length (-1 = none),
/// Byten data</c>; SASLResponse <c>Byten data</c>.
/// </summary>
internal static class PasswordMessage
{
    public const byte Code = (byte)'p';

    public static void WritePassword(PipeWriter writer, string password)
    {
        var message = FrontendMessageWriter.Start(writer, Code, FrontendMessageWriter.CStringLength(password));
        message.WriteCString(password);
        message.Complete();
    }

    public static void WriteSaslInitialResponse(PipeWriter writer, string mechanism, ReadOnlySpan<byte> data)
    {
        int body = FrontendMessageWriter.CStringLength(mechanism) + sizeof(int) + data.Length;
        var message = FrontendMessageWriter.Start(writer, Code, body);
        message.WriteCString(mechanism);
        message.WriteInt32(data.Length);
        message.WriteBytes(data);
        message.Complete();
    }

    public static void WriteSaslResponse(PipeWriter writer, ReadOnlySpan<byte> data)
    {
        var message = FrontendMessageWriter.Start(writer, Code, data.Length);
        message.WriteBytes(data);
        message.Complete();
    }
}
