using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pgark.Cluster;
using Pgark.Wire.Connection;

namespace Pgark.Tests.Cli;

/// <summary>
/// The scratch cluster behind ping's end-to-end tests (a <see cref="LocalCluster"/>): TCP on 127.0.0.1 with SCRAM and
/// MD5 roles, a role without REPLICATION, one without a pg_hba.conf line, and role "tlsonly" allowed only over TLS.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ScratchServer : IAsyncLifetime
{
    private static readonly string[] s_hbaLines =
    [
        "hostssl replication  tlsonly   127.0.0.1/32   scram-sha-256",
        "local   all          postgres                 trust",
        "local   replication  postgres                 trust",
        "host    replication  repl      127.0.0.1/32   scram-sha-256",
        "host    replication  norepl    127.0.0.1/32   scram-sha-256",
        "host    replication  md5user   127.0.0.1/32   md5",
    ];

    private LocalCluster? _cluster;

    private LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("the fixture has not started");

    public int Port => Cluster.Port;

    /// <summary>Directory of the server's Unix socket.</summary>
    public string SocketDirectory => Cluster.SocketDirectory;

    public string SystemIdentifier { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Tls = true, HbaLines = s_hbaLines });
        // ECDSA P-384 signed with SHA-384: SCRAM-SHA-256-PLUS must then hash the certificate with SHA-384 (RFC 5929).
        ReplaceServerCertificate(_cluster.Tls!);
        await _cluster.ReloadAsync();

        await using PgConnection connection = await PgConnection.OpenAsync(
            ConnectionSettings.Parse(_cluster.ConnInfo(host: _cluster.SocketDirectory), new Dictionary<string, string?>()));
        await connection.ExecuteAsync("SET password_encryption = 'scram-sha-256'; "
            + "CREATE ROLE repl LOGIN REPLICATION PASSWORD 'pw-repl'; "
            + "CREATE ROLE norepl LOGIN PASSWORD 'pw-norepl'; "
            + "CREATE ROLE nohba LOGIN REPLICATION PASSWORD 'pw-nohba'; "
            + "CREATE ROLE tlsonly LOGIN REPLICATION PASSWORD 'pw-tls'; "
            + "SET password_encryption = 'md5'; CREATE ROLE md5user LOGIN REPLICATION PASSWORD 'pw-md5';");
        SystemIdentifier = (await connection.QueryTextAsync("SELECT system_identifier FROM pg_control_system()")).Scalar!;
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
            await _cluster.DisposeAsync();
    }

    private static void ReplaceServerCertificate(ClusterTls tls)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA384);
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Rewrite in place: the files keep the server account's ownership and the key its 0600 mode.
        File.WriteAllText(tls.ServerCertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(tls.ServerKeyPath, key.ExportPkcs8PrivateKeyPem());
    }
}
