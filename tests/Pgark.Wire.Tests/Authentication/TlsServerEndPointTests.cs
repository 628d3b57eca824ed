using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pgark.Wire.Authentication;

namespace Pgark.Wire.Tests.Authentication;

public class TlsServerEndPointTests
{
    [Theory]
    [InlineData("SHA256", 32)]
    [InlineData("SHA384", 48)]
    [InlineData("SHA512", 64)]
    public void HashesTheDerCertificateWithItsSignatureHash(string hashName, int length)
    {
        var hash = new HashAlgorithmName(hashName);
        using X509Certificate2 cert = SelfSigned(hash);

        byte[] expected = hashName switch
        {
            "SHA384" => SHA384.HashData(cert.RawData),
            "SHA512" => SHA512.HashData(cert.RawData),
            _ => SHA256.HashData(cert.RawData),
        };
        byte[] actual = TlsServerEndPoint.ComputeHash(cert);
        Assert.Equal(length, actual.Length);
        Assert.Equal(expected, actual);
    }

    // .NET refuses to sign new certificates with SHA-1, so the mapping is pinned by OID.
    [Theory]
    [InlineData("1.2.840.113549.1.1.4", "SHA256")]  // md5WithRSAEncryption: RFC 5929 says SHA-256
    [InlineData("1.2.840.113549.1.1.5", "SHA256")]  // sha1WithRSAEncryption
    [InlineData("1.2.840.10045.4.1", "SHA256")]     // ecdsa-with-SHA1
    [InlineData("1.2.840.10045.4.3.3", "SHA384")]   // ecdsa-with-SHA384
    [InlineData("1.2.840.113549.1.1.13", "SHA512")] // sha512WithRSAEncryption
    public void SignatureAlgorithmsMapToRfc5929Hashes(string oid, string expected)
        => Assert.Equal(expected, TlsServerEndPoint.SignatureHash(oid));

    [Fact]
    public void UnbindableSignatureAlgorithmIsATlsError()
    {
        var error = Assert.Throws<PgConnectionException>(() => TlsServerEndPoint.SignatureHash("1.3.101.112")); // Ed25519
        Assert.Equal(PgConnectionFailure.Tls, error.Failure);
        Assert.Equal("cannot compute tls-server-end-point channel binding for a certificate signed with algorithm 1.3.101.112; "
                     + "use a certificate signed with SHA-256/384/512 or connect with channel_binding=disable", error.Message);
    }

    [Fact]
    public void DifferentCertificatesGiveDifferentHashes()
    {
        using X509Certificate2 a = SelfSigned(HashAlgorithmName.SHA256);
        using X509Certificate2 b = SelfSigned(HashAlgorithmName.SHA256);
        Assert.NotEqual(TlsServerEndPoint.ComputeHash(a), TlsServerEndPoint.ComputeHash(b));
    }

    private static X509Certificate2 SelfSigned(HashAlgorithmName hash)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=pgark-test", key, hash, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
