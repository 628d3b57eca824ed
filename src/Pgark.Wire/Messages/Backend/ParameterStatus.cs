using System.Buffers;

namespace Pgark.Wire.Messages.Backend;

/// <summary>'S' ParameterStatus: <c>String name, String value</c> (server_version, integer_datetimes, ...).</summary>
internal static class ParameterStatus
{
    public static (string Name, string Value) Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new PayloadReader(payload, "ParameterStatus");
        string name = reader.ReadCString();
        string value = reader.ReadCString();
        reader.ExpectEnd();
        return (name, value);
    }
}
