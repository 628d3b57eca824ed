namespace Pgark.Wire.Messages;

/// <summary>
/// Upper bounds on backend message lengths, checked on the 5-byte header before any payload is buffered, so a
/// corrupt or hostile length field can never make pgark allocate without bound.
/// </summary>
public sealed record MessageLimits
{
    /// <summary>The default: 1 GiB for rows and COPY data (PostgreSQL's own MaxAllocSize), 1 MiB for everything else.</summary>
    public static MessageLimits Default { get; } = new();

    /// <summary>Largest DataRow or CopyData payload accepted. A single field can be 1 GiB in PostgreSQL.</summary>
    public int MaxDataMessageLength { get; init; } = 1 << 30;

    /// <summary>Largest payload of any other message (errors, row descriptions, parameter status, auth).</summary>
    public int MaxControlMessageLength { get; init; } = 1 << 20;

    /// <summary>Payload bound for one message code, or -1 when the code is not one pgark understands.</summary>
    internal int MaxPayloadFor(byte code) => code switch
    {
        BackendMessageCode.DataRow or BackendMessageCode.CopyData => MaxDataMessageLength,
        // Fixed-size messages: any other length means the stream is desynchronized.
        BackendMessageCode.ReadyForQuery => 1,
        BackendMessageCode.BackendKeyData => 8,
        BackendMessageCode.EmptyQueryResponse or BackendMessageCode.CopyDone => 0,
        BackendMessageCode.Authentication or BackendMessageCode.ParameterStatus or BackendMessageCode.RowDescription
            or BackendMessageCode.CommandComplete or BackendMessageCode.ErrorResponse or BackendMessageCode.NoticeResponse
            or BackendMessageCode.NotificationResponse or BackendMessageCode.CopyInResponse
            or BackendMessageCode.CopyOutResponse or BackendMessageCode.CopyBothResponse
            or BackendMessageCode.NegotiateProtocolVersion => MaxControlMessageLength,
        _ => -1,
    };
}
