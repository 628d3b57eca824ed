using System.Security.Cryptography;
using System.Text;

namespace Pgark.Wire.Authentication;

/// <summary>Channel binding state for SCRAM (RFC 5802 gs2 header).</summary>
public enum ScramChannelBinding
{
    /// <summary>"n": the client does not support channel binding (no TLS).</summary>
    NotSupported,
    /// <summary>"y": the client supports it but the server did not offer SCRAM-SHA-256-PLUS.</summary>
    SupportedButNotUsed,
    /// <summary>"p=tls-server-end-point": SCRAM-SHA-256-PLUS bound to the server certificate's hash.</summary>
    TlsServerEndPoint,
}

/// <summary>Client side of SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677) as PostgreSQL uses them.</summary>
/// <remarks>
/// One instance runs one exchange, in order: <see cref="CreateClientFirstMessage"/>,
/// <see cref="HandleServerFirstMessage"/>, <see cref="VerifyServerFinalMessage"/>.
/// The user name is sent empty ("n=,"): PostgreSQL takes the role from the startup packet and ignores it.
/// </remarks>
public sealed class ScramSha256Client
{
    /// <summary>PostgreSQL's default is 4096. Above this bound a server (or an attacker posing as one) could make the
    /// client burn seconds of CPU per attempt; 10 million iterations is about 3 s of PBKDF2 on one core.</summary>
    internal const int MaxIterations = 10_000_000;

    private const string TlsServerEndPointName = "tls-server-end-point";

    private readonly byte[] _password;
    private readonly ScramChannelBinding _binding;
    private readonly byte[]? _serverEndPointHash;
    private readonly string _clientNonce;
    private readonly string _userName;
    private string? _clientFirstMessageBare;
    private byte[]? _expectedServerSignature;

    /// <param name="password">The password, SASLprep-normalized by this class.</param>
    /// <param name="binding">Which gs2 header to send.</param>
    /// <param name="serverEndPointHash">For <see cref="ScramChannelBinding.TlsServerEndPoint"/>: the certificate hash.</param>
    /// <param name="clientNonce">Fixed nonce for tests; null draws 18 random bytes, base64.</param>
    public ScramSha256Client(string password, ScramChannelBinding binding, byte[]? serverEndPointHash = null, string? clientNonce = null)
        : this(password, binding, serverEndPointHash, clientNonce, userName: "")
    {
    }

    /// <summary>With an explicit user name, so tests can replay RFC 7677's example exchange byte for byte.</summary>
    internal ScramSha256Client(string password, ScramChannelBinding binding, byte[]? serverEndPointHash, string? clientNonce, string userName)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (binding == ScramChannelBinding.TlsServerEndPoint && (serverEndPointHash is null || serverEndPointHash.Length == 0))
            throw new ArgumentException("tls-server-end-point channel binding needs the server certificate hash", nameof(serverEndPointHash));
        if (clientNonce is not null && (clientNonce.Length == 0 || clientNonce.Contains(',')))
            throw new ArgumentException("the client nonce must be non-empty printable characters without ','", nameof(clientNonce));

        _password = Encoding.UTF8.GetBytes(SaslPrep.Prepare(password));
        _binding = binding;
        _serverEndPointHash = serverEndPointHash;
        _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        _userName = userName;
    }

    /// <summary>"SCRAM-SHA-256" or "SCRAM-SHA-256-PLUS", for SASLInitialResponse.</summary>
    public string Mechanism => _binding == ScramChannelBinding.TlsServerEndPoint ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256";

    private string Gs2Header => _binding switch
    {
        ScramChannelBinding.NotSupported => "n,,",
        ScramChannelBinding.SupportedButNotUsed => "y,,",
        _ => "p=" + TlsServerEndPointName + ",,",
    };

    public byte[] CreateClientFirstMessage()
    {
        _clientFirstMessageBare = $"n={EscapeSaslName(_userName)},r={_clientNonce}";
        return Encoding.UTF8.GetBytes(Gs2Header + _clientFirstMessageBare);
    }

    /// <summary>Consumes server-first-message, returns client-final-message.</summary>
    public byte[] HandleServerFirstMessage(ReadOnlySpan<byte> serverFirstMessage)
    {
        if (_clientFirstMessageBare is null)
            throw new InvalidOperationException("CreateClientFirstMessage must be called first");

        string serverFirst = DecodeServerMessage(serverFirstMessage, "server-first-message");
        (string nonce, byte[] salt, int iterations) = ParseServerFirst(serverFirst);

        byte[] saltedPassword = Rfc2898DeriveBytes.Pbkdf2(_password, salt, iterations, HashAlgorithmName.SHA256, 32);
        byte[] clientKey = HMACSHA256.HashData(saltedPassword, "Client Key"u8);
        byte[] storedKey = SHA256.HashData(clientKey);
        byte[] serverKey = HMACSHA256.HashData(saltedPassword, "Server Key"u8);

        string clientFinalWithoutProof = $"c={Convert.ToBase64String(ChannelBindingInput())},r={nonce}";
        byte[] authMessage = Encoding.UTF8.GetBytes($"{_clientFirstMessageBare},{serverFirst},{clientFinalWithoutProof}");

        byte[] clientSignature = HMACSHA256.HashData(storedKey, authMessage);
        byte[] proof = new byte[clientKey.Length];
        for (int i = 0; i < proof.Length; i++)
            proof[i] = (byte)(clientKey[i] ^ clientSignature[i]);
        _expectedServerSignature = HMACSHA256.HashData(serverKey, authMessage);

        CryptographicOperations.ZeroMemory(saltedPassword);
        CryptographicOperations.ZeroMemory(clientKey);
        return Encoding.UTF8.GetBytes($"{clientFinalWithoutProof},p={Convert.ToBase64String(proof)}");
    }

    /// <summary>Checks the server signature; throws <see cref="PgConnectionException"/> (Authentication) on mismatch.</summary>
    public void VerifyServerFinalMessage(ReadOnlySpan<byte> serverFinalMessage)
    {
        if (_expectedServerSignature is null)
            throw new InvalidOperationException("HandleServerFirstMessage must be called first");

        string serverFinal = DecodeServerMessage(serverFinalMessage, "server-final-message");
        if (serverFinal.StartsWith("e=", StringComparison.Ordinal))
            throw Fail($"the server rejected the SCRAM exchange: {serverFinal[2..]}");
        if (!serverFinal.StartsWith("v=", StringComparison.Ordinal))
            throw Fail($"malformed SCRAM server-final-message (expected \"v=\"): \"{serverFinal}\"");

        int end = serverFinal.IndexOf(',');
        string signatureText = end < 0 ? serverFinal[2..] : serverFinal[2..end];
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(signatureText);
        }
        catch (FormatException)
        {
            throw Fail($"malformed SCRAM server signature (not base64): \"{signatureText}\"");
        }
        // Constant time: the comparison must not leak how many leading bytes of a forged signature were right.
        if (!CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
            throw Fail("the server's SCRAM signature does not match: the server does not know the password, or the exchange was tampered with");
    }

    private byte[] ChannelBindingInput()
    {
        byte[] header = Encoding.ASCII.GetBytes(Gs2Header);
        if (_binding != ScramChannelBinding.TlsServerEndPoint)
            return header;
        return [.. header, .. _serverEndPointHash!];
    }

    private (string Nonce, byte[] Salt, int Iterations) ParseServerFirst(string serverFirst)
    {
        if (serverFirst.StartsWith("m=", StringComparison.Ordinal))
            throw Fail("the server requires a SCRAM extension pgark does not support");

        string[] attributes = serverFirst.Split(',');
        if (attributes.Length < 3 || !attributes[0].StartsWith("r=", StringComparison.Ordinal)
            || !attributes[1].StartsWith("s=", StringComparison.Ordinal) || !attributes[2].StartsWith("i=", StringComparison.Ordinal))
            throw Fail($"malformed SCRAM server-first-message (expected \"r=…,s=…,i=…\"): \"{serverFirst}\"");

        string nonce = attributes[0][2..];
        // The server's nonce must extend ours; otherwise this is a replay or a different exchange.
        if (nonce.Length <= _clientNonce.Length || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal))
            throw Fail("the SCRAM server nonce does not extend the client nonce");

        byte[] salt;
        try
        {
            salt = Convert.FromBase64String(attributes[1][2..]);
        }
        catch (FormatException)
        {
            throw Fail($"malformed SCRAM salt (not base64): \"{attributes[1][2..]}\"");
        }
        if (salt.Length == 0)
            throw Fail("the SCRAM salt is empty");

        if (!int.TryParse(attributes[2].AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int iterations)
            || iterations < 1 || iterations > MaxIterations)
            throw Fail($"SCRAM iteration count \"{attributes[2][2..]}\" is outside 1..{MaxIterations}");
        return (nonce, salt, iterations);
    }

    private static string DecodeServerMessage(ReadOnlySpan<byte> message, string what)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(message);
        }
        catch (DecoderFallbackException)
        {
            throw Fail($"malformed SCRAM {what}: not valid UTF-8");
        }
    }

    /// <summary>RFC 5802 saslname: ',' and '=' are escaped as =2C and =3D.</summary>
    private static string EscapeSaslName(string name) => name.Replace("=", "=3D").Replace(",", "=2C");

    private static PgConnectionException Fail(string message) => new(PgConnectionFailure.Authentication, message);
}
