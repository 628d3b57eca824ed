using System.Buffers;

namespace Pgark.Wire.Messages.Backend;

/// <summary>'K' BackendKeyData (protocol 3.0): <c>Int32 process id, Int32 secret key</c>, needed for CancelRequest.</summary>
internal static class BackendKeyData
{
    public static (int ProcessId, int SecretKey) Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new PayloadReader(payload, "BackendKeyData");
        int processId = reader.ReadInt32();
        int secretKey = reader.ReadInt32();
        reader.ExpectEnd();
        return (processId, secretKey);
    }
}
