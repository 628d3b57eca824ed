using System.Buffers;

namespace Pgark.Wire.Messages.Backend;

/// <summary>
/// 'v' NegotiateProtocolVersion: <c>Int32 newest minor version supported, Int32 count, String option × count</c>.
/// pgark asks for 3.0 with no protocol options, so servers should never send it; it is parsed to fail clearly.
/// </summary>
internal static class NegotiateProtocolVersion
{
    public static (int MinorVersion, List<string> UnrecognizedOptions) Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new PayloadReader(payload, "NegotiateProtocolVersion");
        int minor = reader.ReadInt32();
        int count = reader.ReadInt32();
        if (count < 0 || count > reader.Remaining)
            ThrowHelper.ThrowProtocol($"NegotiateProtocolVersion declares {count} options in {reader.Remaining} bytes");
        var options = new List<string>(count);
        for (int i = 0; i < count; i++)
            options.Add(reader.ReadCString());
        reader.ExpectEnd();
        return (minor, options);
    }
}
