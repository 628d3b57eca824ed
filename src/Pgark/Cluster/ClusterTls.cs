using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pgark.Cluster;

/// <summary>
/// A throwaway certificate authority and a server certificate it signed, for TLS tests against a scratch
/// cluster. The server certificate names <c>localhost</c> and <c>127.0.0.1</c>, so clients can use
/// sslmode=verify-full with either as the host and <see cref="CaCertificatePath"/> as sslrootcert.
/// ECDSA P-256 keys with SHA-256 signatures: generated in microseconds, and tls-server-end-point channel
/// binding hashes the certificate with SHA-256.
/// </summary>
public sealed class ClusterTls
{
    public const string ServerHostName = "localhost";

    private ClusterTls(string directory)
    {
        CaCertificatePath = Path.Combine(directory, "ca.crt");
        ServerCertificatePath = Path.Combine(directory, "server.crt");
        ServerKeyPath = Path.Combine(directory, "server.key");
    }

    /// <summary>PEM file of the CA certificate: the client's sslrootcert.</summary>
    public string CaCertificatePath { get; }
    /// <summary>PEM file of the server certificate: the server's ssl_cert_file.</summary>
    public string ServerCertificatePath { get; }
    /// <summary>PEM file of the server's PKCS#8 private key (mode 0600): the server's ssl_key_file.</summary>
    public string ServerKeyPath { get; }

    /// <summary>Generates the CA and server certificate into <paramref name="directory"/>, owned by the server account.</summary>
    internal static ClusterTls Create(string directory, ServerAccount account)
    {
        Directory.CreateDirectory(directory);
        var tls = new ClusterTls(directory);
        DateTimeOffset now = DateTimeOffset.UtcNow;

        using ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=pgark scratch cluster CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));

        using ECDsa serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest($"CN={ServerHostName}", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(ServerHostName);
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        using X509Certificate2 server = serverRequest.Create(ca, now.AddMinutes(-5), now.AddDays(7), serial);

        Write(tls.CaCertificatePath, ca.ExportCertificatePem(), UnixFiles.Readable, account);
        Write(tls.ServerCertificatePath, server.ExportCertificatePem(), UnixFiles.Readable, account);
        // The server refuses a key file readable by group or others when the key is owned by its own account.
        Write(tls.ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem(), UnixFiles.Private, account);
        account.Own(directory);
        return tls;
    }

    private static void Write(string path, string pem, UnixFileMode mode, ServerAccount account)
    {
        File.WriteAllText(path, pem + "\n");
        UnixFiles.SetMode(path, mode);
        account.Own(path);
    }
}
