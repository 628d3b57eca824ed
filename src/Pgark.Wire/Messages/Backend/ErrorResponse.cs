using System.Buffers;

namespace Pgark.Wire.Messages.Backend;

/// <summary>
/// 'E' ErrorResponse and 'N' NoticeResponse share one body: repeated <c>Byte1 field code, String value</c>,
/// ended by a zero byte. 'S'/'V' severity, 'C' SQLSTATE, 'M' message, 'D' detail, 'H' hint, others kept as-is.
/// </summary>
internal static class ErrorResponse
{
    public static Dictionary<char, string> ParseFields(in ReadOnlySequence<byte> payload, string messageName)
    {
        var reader = new PayloadReader(payload, messageName);
        var fields = new Dictionary<char, string>();
        while (true)
        {
            byte code = reader.ReadByte();
            if (code == 0)
                break;
            fields[(char)code] = reader.ReadCString();
        }
        reader.ExpectEnd();
        return fields;
    }

    public static PgServerException ParseError(in ReadOnlySequence<byte> payload)
    {
        Dictionary<char, string> fields = ParseFields(payload, "ErrorResponse");
        return new PgServerException(Severity(fields), fields.GetValueOrDefault('C', "XX000"), fields.GetValueOrDefault('M', ""),
            fields.GetValueOrDefault('D'), fields.GetValueOrDefault('H'), fields);
    }

    public static PgNotice ParseNotice(in ReadOnlySequence<byte> payload)
    {
        Dictionary<char, string> fields = ParseFields(payload, "NoticeResponse");
        return new PgNotice(Severity(fields), fields.GetValueOrDefault('C', "00000"), fields.GetValueOrDefault('M', ""),
            fields.GetValueOrDefault('D'), fields.GetValueOrDefault('H'), fields);
    }

    // 'V' (9.6+) is never localized, so prefer it for decisions such as "FATAL ends the session".
    private static string Severity(Dictionary<char, string> fields) =>
        fields.GetValueOrDefault('V') ?? fields.GetValueOrDefault('S') ?? "ERROR";
}
