namespace Pgark.Wire.Messages;

/// <summary>The first byte of every backend message pgark understands (protocol 3.0). Anything else is a desync.</summary>
internal static class BackendMessageCode
{
    public const byte Authentication = (byte)'R';
    public const byte BackendKeyData = (byte)'K';
    public const byte ParameterStatus = (byte)'S';
    public const byte ReadyForQuery = (byte)'Z';
    public const byte RowDescription = (byte)'T';
    public const byte DataRow = (byte)'D';
    public const byte CommandComplete = (byte)'C';
    public const byte EmptyQueryResponse = (byte)'I';
    public const byte ErrorResponse = (byte)'E';
    public const byte NoticeResponse = (byte)'N';
    public const byte NotificationResponse = (byte)'A';
    public const byte CopyInResponse = (byte)'G';
    public const byte CopyOutResponse = (byte)'H';
    public const byte CopyBothResponse = (byte)'W';
    public const byte CopyData = (byte)'d';
    public const byte CopyDone = (byte)'c';
    public const byte NegotiateProtocolVersion = (byte)'v';

    /// <summary>Printable name for error messages: "'Z' (ReadyForQuery)" or "0x07 (unknown)".</summary>
    public static string Describe(byte code)
    {
        string name = code switch
        {
            Authentication => "Authentication",
            BackendKeyData => "BackendKeyData",
            ParameterStatus => "ParameterStatus",
            ReadyForQuery => "ReadyForQuery",
            RowDescription => "RowDescription",
            DataRow => "DataRow",
            CommandComplete => "CommandComplete",
            EmptyQueryResponse => "EmptyQueryResponse",
            ErrorResponse => "ErrorResponse",
            NoticeResponse => "NoticeResponse",
            NotificationResponse => "NotificationResponse",
            CopyInResponse => "CopyInResponse",
            CopyOutResponse => "CopyOutResponse",
            CopyBothResponse => "CopyBothResponse",
            CopyData => "CopyData",
            CopyDone => "CopyDone",
            NegotiateProtocolVersion => "NegotiateProtocolVersion",
            _ => "unknown",
        };
        return code is >= 0x21 and < 0x7F ? $"'{(char)code}' ({name})" : $"0x{code:X2} ({name})";
    }
}
