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
public sealed class ScramSha256Client
{
    /// <param name="password">The password, SASLprep-normalized by this class.</param>
    /// <param name="binding">Which gs2 header to send.</param>
    /// <param name="serverEndPointHash">For <see cref="ScramChannelBinding.TlsServerEndPoint"/>: the certificate hash.</param>
    /// <param name="clientNonce">Fixed nonce for tests; null draws 18 random bytes, base64.</param>
    public ScramSha256Client(string password, ScramChannelBinding binding, byte[]? serverEndPointHash = null, string? clientNonce = null)
        => throw new NotImplementedException("filled in by the SCRAM work");

    /// <summary>"SCRAM-SHA-256" or "SCRAM-SHA-256-PLUS", for SASLInitialResponse.</summary>
    public string Mechanism => throw new NotImplementedException();

    public byte[] CreateClientFirstMessage() => throw new NotImplementedException();

    /// <summary>Consumes server-first-message, returns client-final-message.</summary>
    public byte[] HandleServerFirstMessage(ReadOnlySpan<byte> serverFirstMessage) => throw new NotImplementedException();

    /// <summary>Checks the server signature; throws <see cref="PgConnectionException"/> (Authentication) on mismatch.</summary>
    public void VerifyServerFinalMessage(ReadOnlySpan<byte> serverFinalMessage) => throw new NotImplementedException();
}
