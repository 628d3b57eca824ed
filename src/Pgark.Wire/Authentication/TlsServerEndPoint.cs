using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pgark.Wire.Authentication;

/// <summary>The tls-server-end-point channel binding data (RFC 5929 section 4.1) used by SCRAM-SHA-256-PLUS.</summary>
public static class TlsServerEndPoint
{
    /// <summary>
    /// Hash of the server certificate's DER encoding, with the hash algorithm of the certificate's signature;
    /// MD5 and SHA-1 are replaced by SHA-256 as RFC 5929 requires. PostgreSQL's server computes the same value
    /// (be_tls_get_certificate_hash), so a mismatch means a different certificate: a man in the middle.
    /// </summary>
    public static byte[] ComputeHash(X509Certificate2 cert)
    {
        ArgumentNullException.ThrowIfNull(cert);
        byte[] der = cert.RawData;
        return SignatureHash(cert.SignatureAlgorithm.Value) switch
        {
            "SHA384" => SHA384.HashData(der),
            "SHA512" => SHA512.HashData(der),
            _ => SHA256.HashData(der),
        };
    }

    /// <summary>The digest named by a certificate signature algorithm OID, as PostgreSQL's server picks it.</summary>
    /// <remarks>
    /// MD5 and SHA-1 map to SHA-256 (RFC 5929). SHA-224 and algorithms without a separate digest (RSASSA-PSS, whose
    /// digest hides in parameters, and Ed25519) are refused because the server cannot bind them either
    /// (be_tls_get_certificate_hash fails), so SCRAM-SHA-256-PLUS is impossible with such a certificate.
    /// </remarks>
    internal static string SignatureHash(string? oid) => oid switch
    {
        "1.2.840.113549.1.1.4" or "1.2.840.113549.1.1.5" or "1.2.840.10040.4.3" or "1.2.840.10045.4.1" => "SHA256", // MD5/SHA-1
        "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" or "2.16.840.1.101.3.4.3.2" => "SHA256", // RSA, ECDSA, DSA
        "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" or "2.16.840.1.101.3.4.3.3" => "SHA384",
        "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" or "2.16.840.1.101.3.4.3.4" => "SHA512",
        _ => throw new PgConnectionException(PgConnectionFailure.Tls,
            $"cannot compute tls-server-end-point channel binding for a certificate signed with algorithm {oid}; "
            + "use a certificate signed with SHA-256/384/512 or connect with channel_binding=disable"),
    };
}
