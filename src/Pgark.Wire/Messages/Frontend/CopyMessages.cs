using System.Buffers;
using System.IO.Pipelines;

namespace Pgark.Wire.Messages.Frontend;

/// <summary>
/// Frontend COPY messages: 'd' CopyData <c>Byten data</c>; 'c' CopyDone (empty); 'f' CopyFail <c>String reason</c>.
/// </summary>
internal static class CopyMessages
{
    public const byte CopyDataCode = (byte)'d';
    public const byte CopyDoneCode = (byte)'c';
    public const byte CopyFailCode = (byte)'f';

    /// <summary>
    /// Header, then the payload copied straight into the pipe's buffers in pieces (no message-sized buffer).
    /// The body is exactly the payload, so the accounting is the header's length field itself.
    /// </summary>
    public static void WriteCopyData(PipeWriter writer, ReadOnlySpan<byte> data)
    {
        var header = FrontendMessageWriter.Start(writer, CopyDataCode, data.Length, headerOnly: true);
        header.Complete();
        writer.Write(data);
    }

    public static void WriteCopyDone(PipeWriter writer)
    {
        var message = FrontendMessageWriter.Start(writer, CopyDoneCode, 0);
        message.Complete();
    }

    public static void WriteCopyFail(PipeWriter writer, string reason)
    {
        var message = FrontendMessageWriter.Start(writer, CopyFailCode, FrontendMessageWriter.CStringLength(reason));
        message.WriteCString(reason);
        message.Complete();
    }
}
