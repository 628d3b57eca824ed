using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Frontend;

namespace Pgark.Wire.Connection;

// Socket, TLS negotiation and pipes: everything below the protocol messages.
public sealed partial class PgConnection
{
    private const int ReceiveSegmentSize = 64 * 1024;

    /// <summary>Opens the socket: TCP to each resolved address in turn, or the Unix socket file.</summary>
    private static async Task<Socket> ConnectSocketAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        if (settings.IsUnixSocket)
        {
            string path = Path.Combine(settings.Host, $".s.PGSQL.{settings.Port}");
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await unix.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                return unix;
            }
            catch (SocketException e)
            {
                unix.Dispose();
                throw new PgConnectionException(PgConnectionFailure.Unreachable,
                    $"could not connect to the server socket \"{path}\": {e.Message}; hint: is the server running locally " +
                    "with unix_socket_directories including that directory and this port?", e);
            }
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(settings.Host, out IPAddress? literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(settings.Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new PgConnectionException(PgConnectionFailure.Unreachable,
                $"could not resolve host name \"{settings.Host}\": {e.Message}; hint: check the host name", e);
        }

        SocketException? last = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, settings.Port), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new PgConnectionException(PgConnectionFailure.Unreachable,
            $"could not connect to the server at {settings.Host}:{settings.Port}: {last?.Message ?? "no address"}; " +
            "hint: is the server running and accepting TCP connections there (listen_addresses, port, firewall)?", last);
    }

    /// <summary>
    /// Sends SSLRequest and reads exactly one unframed byte. Reading more before the handshake would let a
    /// man in the middle inject plaintext that looks as if it came over TLS (CVE-2021-23222).
    /// </summary>
    private static async Task<Stream> NegotiateTlsAsync(NetworkStream network, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        await network.WriteAsync(SslRequest.Create(), cancellationToken).ConfigureAwait(false);
        var answer = new byte[1];
        int read = await network.ReadAsync(answer, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new PgConnectionException(PgConnectionFailure.Lost,
                $"the server at {settings.Host}:{settings.Port} closed the connection during TLS negotiation; hint: is it a PostgreSQL server?");
        }
        switch (answer[0])
        {
            case (byte)'S':
                return await AuthenticateTlsAsync(network, settings, cancellationToken).ConfigureAwait(false);
            case (byte)'N' when settings.SslMode >= SslMode.Require:
                throw new PgConnectionException(PgConnectionFailure.Tls,
                    $"the server at {settings.Host}:{settings.Port} does not support TLS but sslmode={SslModeName(settings.SslMode)}; " +
                    "hint: enable ssl on the server, or use sslmode=prefer");
            case (byte)'N':
                return network;
            default:
                throw new PgProtocolException($"unexpected answer 0x{answer[0]:X2} to SSLRequest (expected 'S' or 'N')");
        }
    }

    private static async Task<Stream> AuthenticateTlsAsync(NetworkStream network, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        X509Certificate2Collection? roots = settings.SslMode >= SslMode.VerifyCa ? LoadRootCertificates(settings) : null;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = settings.Host,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateServerCertificate(settings, roots, certificate, errors),
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (AuthenticationException e)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            string hint = settings.SslMode >= SslMode.VerifyCa
                ? $"check that sslrootcert holds the CA that signed the server certificate{(settings.SslMode == SslMode.VerifyFull ? " and that the certificate names the host" : "")}"
                : "check the server's ssl settings";
            throw new PgConnectionException(PgConnectionFailure.Tls,
                $"TLS handshake with {settings.Host}:{settings.Port} failed (sslmode={SslModeName(settings.SslMode)}): {e.Message}; hint: {hint}", e);
        }
    }

    private static X509Certificate2Collection LoadRootCertificates(ConnectionSettings settings)
    {
        string path = settings.SslRootCert
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".postgresql", "root.crt");
        if (!File.Exists(path))
        {
            throw new PgConnectionException(PgConnectionFailure.Tls,
                $"sslmode={SslModeName(settings.SslMode)} needs a root certificate but \"{path}\" does not exist; " +
                "hint: set sslrootcert to the CA certificate file, or use sslmode=require");
        }
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(path);
        return roots;
    }

    /// <summary>
    /// require/prefer/allow encrypt without checking who answers (libpq's behavior without a root certificate);
    /// verify-ca checks the chain against sslrootcert only; verify-full also checks the host name.
    /// </summary>
    private static bool ValidateServerCertificate(ConnectionSettings settings, X509Certificate2Collection? roots,
        X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (roots is null)
            return true;
        if (certificate is not X509Certificate2 server)
            return false;
        if (settings.SslMode == SslMode.VerifyFull && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }

    private static string SslModeName(SslMode mode) => mode switch
    {
        SslMode.VerifyCa => "verify-ca",
        SslMode.VerifyFull => "verify-full",
        _ => mode.ToString().ToLowerInvariant(),
    };

    private void AttachPipes(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        _pipeReader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReceiveSegmentSize, minimumReadSize: 4096, leaveOpen: true));
        _pipeWriter = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        _messages = new BackendMessageReader(_pipeReader, _options.Limits);
    }
}
