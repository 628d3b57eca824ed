using System.Buffers;

namespace Pgark.Wire.Messages.Backend;

/// <summary>'C' CommandComplete: <c>String tag</c> ("SELECT 3", "COPY 10", "CREATE_REPLICATION_SLOT").</summary>
internal static class CommandComplete
{
    public static string Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new PayloadReader(payload, "CommandComplete");
        string tag = reader.ReadCString();
        reader.ExpectEnd();
        return tag;
    }
}
