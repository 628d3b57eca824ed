using System.IO.Pipelines;

namespace Pgark.Wire.Messages.Frontend;

/// <summary>'X' Terminate (empty): the orderly goodbye before closing the socket.</summary>
internal static class Terminate
{
    public const byte Code = (byte)'X';

    public static void Write(PipeWriter writer)
    {
        var message = FrontendMessageWriter.Start(writer, Code, 0);
        message.Complete();
    }
}
