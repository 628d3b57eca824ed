using System.Buffers.Binary;
using System.Text;

namespace Pgark.Wire.Tests.Infrastructure;

/// <summary>Builds backend messages byte by byte, independently of the code under test, for scripted peers.</summary>
internal static class Backend
{
    public static byte[] Message(char code, params byte[][] parts)
    {
        int body = parts.Sum(p => p.Length);
        var bytes = new byte[5 + body];
        bytes[0] = (byte)code;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), 4 + body);
        int offset = 5;
        foreach (byte[] part in parts)
        {
            part.CopyTo(bytes, offset);
            offset += part.Length;
        }
        return bytes;
    }

    public static byte[] I16(short value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(b, value);
        return b;
    }

    public static byte[] I32(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        return b;
    }

    public static byte[] I64(long value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, value);
        return b;
    }

    public static byte[] Str(string value) => [.. Encoding.UTF8.GetBytes(value), 0];

    public static byte[] AuthOk() => Message('R', I32(0));
    public static byte[] AuthMd5(byte[] salt) => Message('R', I32(5), salt);
    public static byte[] AuthCleartext() => Message('R', I32(3));
    public static byte[] ParameterStatus(string name, string value) => Message('S', Str(name), Str(value));
    public static byte[] KeyData(int pid, int key) => Message('K', I32(pid), I32(key));
    public static byte[] Ready(char status = 'I') => Message('Z', [(byte)status]);
    public static byte[] CommandComplete(string tag) => Message('C', Str(tag));
    public static byte[] EmptyQuery() => Message('I');
    public static byte[] CopyOutResponse(short columns = 1) =>
        Message('H', [0, .. I16(columns), .. Enumerable.Repeat(I16(0), columns).SelectMany(b => b)]);
    public static byte[] CopyInResponse(short columns = 1) =>
        Message('G', [0, .. I16(columns), .. Enumerable.Repeat(I16(0), columns).SelectMany(b => b)]);
    public static byte[] CopyBothResponse() => Message('W', [0], I16(0));
    public static byte[] CopyData(byte[] data) => Message('d', data);
    public static byte[] CopyDone() => Message('c');

    public static byte[] RowDescription(params string[] names) =>
        Message('T', [.. I16((short)names.Length), .. names.SelectMany(n =>
            Str(n).Concat(I32(0)).Concat(I16(0)).Concat(I32(25)).Concat(I16(-1)).Concat(I32(-1)).Concat(I16(0)))]);

    public static byte[] DataRow(params string?[] values) =>
        Message('D', [.. I16((short)values.Length), .. values.SelectMany(v =>
            v is null ? I32(-1) : I32(Encoding.UTF8.GetByteCount(v)).Concat(Encoding.UTF8.GetBytes(v)))]);

    public static byte[] Error(string sqlState, string message, string severity = "ERROR") =>
        Message('E', [(byte)'S', .. Str(severity), (byte)'V', .. Str(severity), (byte)'C', .. Str(sqlState), (byte)'M', .. Str(message), 0]);

    public static byte[] Notice(string message) =>
        Message('N', [(byte)'S', .. Str("NOTICE"), (byte)'V', .. Str("NOTICE"), (byte)'C', .. Str("00000"), (byte)'M', .. Str(message), 0]);

    /// <summary>The usual trust startup: AuthenticationOk, server_version, BackendKeyData, ReadyForQuery.</summary>
    public static byte[] TrustStartup(string serverVersion = "15.4") =>
        [.. AuthOk(), .. ParameterStatus("server_version", serverVersion), .. KeyData(4242, 77), .. Ready()];

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
