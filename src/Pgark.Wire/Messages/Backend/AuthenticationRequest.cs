using System.Buffers;

namespace Pgark.Wire.Messages.Backend;

/// <summary>The Int32 that follows 'R' and says which authentication step the server wants.</summary>
internal enum AuthenticationKind
{
    Ok = 0,
    KerberosV5 = 2,
    CleartextPassword = 3,
    Md5Password = 5,
    Gss = 7,
    GssContinue = 8,
    Sspi = 9,
    Sasl = 10,
    SaslContinue = 11,
    SaslFinal = 12,
}

/// <summary>
/// 'R' Authentication*: <c>Int32 kind</c>, then kind-specific data (MD5: 4-byte salt; SASL: mechanism names,
/// each NUL-terminated, ending with an empty one; SASLContinue/SASLFinal: the SCRAM message bytes).
/// </summary>
internal readonly struct AuthenticationRequest
{
    public AuthenticationKind Kind { get; init; }
    /// <summary>Slice of the message payload; valid until the next backend message is read.</summary>
    public ReadOnlySequence<byte> Data { get; init; }

    public static AuthenticationRequest Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new PayloadReader(payload, "Authentication");
        var kind = (AuthenticationKind)reader.ReadInt32();
        ReadOnlySequence<byte> data = reader.ReadRest();
        if (kind == AuthenticationKind.Md5Password && data.Length != 4)
            ThrowHelper.ThrowProtocol($"AuthenticationMD5Password carries {data.Length} salt bytes, expected 4");
        if (kind is AuthenticationKind.Ok or AuthenticationKind.CleartextPassword && data.Length != 0)
            ThrowHelper.ThrowProtocol($"Authentication kind {(int)kind} has {data.Length} unexpected trailing bytes");
        return new AuthenticationRequest { Kind = kind, Data = data };
    }

    /// <summary>The mechanism names of AuthenticationSASL.</summary>
    public List<string> ReadSaslMechanisms()
    {
        var reader = new PayloadReader(Data, "AuthenticationSASL");
        var mechanisms = new List<string>();
        while (true)
        {
            string name = reader.ReadCString();
            if (name.Length == 0)
                break;
            mechanisms.Add(name);
        }
        reader.ExpectEnd();
        return mechanisms;
    }
}
