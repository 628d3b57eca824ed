using System.Buffers;
using Pgark.Wire;
using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Backend;
using Pgark.Wire.Replication;

namespace Pgark.Fuzz;

/// <summary>
/// Backend byte stream → BackendFraming → every message parser (and XLogData/keepalive inside CopyData), with
/// the buffer split into segments at input-derived points. Accepted: parsed messages, NeedMoreData at the end,
/// Invalid framing, or PgProtocolException. Also checks accepted messages against the spec's byte tables.
/// </summary>
internal sealed class BackendMessagesTarget : IFuzzTarget
{
    private static readonly MessageLimits s_limits = new() { MaxDataMessageLength = 1 << 20, MaxControlMessageLength = 1 << 16 };

    public string Name => "backend-messages";

    public IReadOnlyList<byte[]> Seeds(string repositoryRoot) => Corpus.WireTranscripts(repositoryRoot);

    public void Run(ReadOnlySpan<byte> input)
    {
        ReadOnlySequence<byte> buffer = Corpus.Segmented(input.ToArray());
        var fields = new (long, int)[4];
        while (true)
        {
            FrameStatus status = BackendFraming.TryRead(buffer, s_limits, out byte code, out ReadOnlySequence<byte> payload, out string? error);
            if (status == FrameStatus.NeedMoreData)
                return;
            if (status == FrameStatus.Invalid)
            {
                if (string.IsNullOrEmpty(error))
                    throw new FuzzViolation("Invalid frame without an error text");
                return;
            }
            if (payload.Length > s_limits.MaxPayloadFor(code))
                throw new FuzzViolation($"accepted payload of {payload.Length} bytes above the limit for {code}");
            try
            {
                ParseOne(code, payload, ref fields);
            }
            catch (PgProtocolException)
            {
                return; // documented rejection: the connection would be closed here
            }
            buffer = buffer.Slice(payload.End);
        }
    }

    private static void ParseOne(byte code, in ReadOnlySequence<byte> payload, ref (long Offset, int Length)[] fields)
    {
        switch (code)
        {
            case BackendMessageCode.Authentication:
                AuthenticationRequest auth = AuthenticationRequest.Parse(payload);
                if (auth.Kind == AuthenticationKind.Sasl)
                    auth.ReadSaslMechanisms();
                break;
            case BackendMessageCode.ParameterStatus:
                ParameterStatus.Parse(payload);
                break;
            case BackendMessageCode.BackendKeyData:
                BackendKeyData.Parse(payload);
                break;
            case BackendMessageCode.ReadyForQuery:
                ReadyForQuery.Parse(payload);
                break;
            case BackendMessageCode.RowDescription:
                RowDescription.Parse(payload);
                break;
            case BackendMessageCode.DataRow:
                int count = DataRow.Parse(payload, ref fields);
                CheckDataRow(payload, fields, count);
                break;
            case BackendMessageCode.CommandComplete:
                CommandComplete.Parse(payload);
                break;
            case BackendMessageCode.ErrorResponse:
                ErrorResponse.ParseError(payload);
                break;
            case BackendMessageCode.NoticeResponse:
                ErrorResponse.ParseNotice(payload);
                break;
            case BackendMessageCode.CopyInResponse or BackendMessageCode.CopyOutResponse or BackendMessageCode.CopyBothResponse:
                CopyResponse.Parse(payload, "CopyResponse");
                break;
            case BackendMessageCode.NegotiateProtocolVersion:
                NegotiateProtocolVersion.Parse(payload);
                break;
            case BackendMessageCode.CopyData when !payload.IsEmpty:
                ParseReplication(payload);
                break;
        }
    }

    private static void ParseReplication(in ReadOnlySequence<byte> payload)
    {
        byte kind = payload.FirstSpan[0];
        if (kind == XLogData.Code)
        {
            XLogData data = XLogData.Parse(payload);
            if (data.Data.Length != payload.Length - XLogData.HeaderLength)
                throw new FuzzViolation("XLogData data length does not match the payload");
        }
        else if (kind == PrimaryKeepalive.Code)
        {
            PrimaryKeepalive.Parse(payload);
            if (payload.Length != PrimaryKeepalive.Length)
                throw new FuzzViolation($"accepted a keepalive of {payload.Length} bytes");
        }
    }

    /// <summary>Spec: Int16 count, then per field Int32 length (-1 NULL) and the bytes; nothing after.</summary>
    private static void CheckDataRow(in ReadOnlySequence<byte> payload, (long Offset, int Length)[] fields, int count)
    {
        long expected = 2 + 4L * count;
        for (int i = 0; i < count; i++)
        {
            if (fields[i].Length < -1 || fields[i].Offset < 2 || fields[i].Offset + Math.Max(0, fields[i].Length) > payload.Length)
                throw new FuzzViolation($"DataRow field {i} outside the payload");
            expected += Math.Max(0, fields[i].Length);
        }
        if (expected != payload.Length)
            throw new FuzzViolation($"DataRow accepted with {payload.Length} bytes but fields account for {expected}");
    }
}
