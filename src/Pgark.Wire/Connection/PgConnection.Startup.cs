using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Pgark.Wire.Authentication;
using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Backend;
using Pgark.Wire.Messages.Frontend;

namespace Pgark.Wire.Connection;

// StartupMessage, the authentication exchange, then ParameterStatus/BackendKeyData up to the first ReadyForQuery.
public sealed partial class PgConnection
{
    private ScramSha256Client? _scram;

    private async Task StartupAsync(CancellationToken cancellationToken)
    {
        StartupMessage.Write(_pipeWriter!, StartupParameters(_settings));
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await AuthenticateAsync(cancellationToken).ConfigureAwait(false);
        await ReadUntilReadyAsync(cancellationToken).ConfigureAwait(false);
        _state = ConnectionState.Ready;
    }

    internal static List<KeyValuePair<string, string>> StartupParameters(ConnectionSettings settings)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("user", settings.User),
            new("database", settings.Database),
            new("application_name", settings.ApplicationName),
            // Every string pgark parses is UTF-8; a caller cannot override this.
            new("client_encoding", "UTF8"),
        };
        if (settings.Replication != ReplicationMode.None)
            parameters.Add(new("replication", settings.Replication == ReplicationMode.Physical ? "true" : "database"));
        foreach (KeyValuePair<string, string> extra in settings.StartupParameters)
        {
            if (!parameters.Exists(p => string.Equals(p.Key, extra.Key, StringComparison.OrdinalIgnoreCase)))
                parameters.Add(extra);
        }
        return parameters;
    }

    private async Task AuthenticateAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            byte code = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            if (code == BackendMessageCode.ErrorResponse)
                throw StartupError();
            if (code == BackendMessageCode.NegotiateProtocolVersion)
            {
                NegotiateProtocolVersion.Parse(Messages.Payload); // validated; 3.0 with no options needs no change
                continue;
            }
            if (code != BackendMessageCode.Authentication)
                throw UnexpectedMessage(code, "during authentication");

            AuthenticationRequest request = AuthenticationRequest.Parse(Messages.Payload);
            switch (request.Kind)
            {
                case AuthenticationKind.Ok:
                    CheckChannelBindingRequirement();
                    return;
                case AuthenticationKind.CleartextPassword:
                    RequireChannelBindingNotDemanded("password");
                    AuthenticationMethod = "password";
                    PasswordMessage.WritePassword(_pipeWriter!, RequirePassword("password"));
                    break;
                case AuthenticationKind.Md5Password:
                    RequireChannelBindingNotDemanded("md5");
                    AuthenticationMethod = "md5";
                    string hashed = Md5Password.Compute(_settings.User, RequirePassword("md5"), request.Data.ToArray());
                    PasswordMessage.WritePassword(_pipeWriter!, hashed);
                    break;
                case AuthenticationKind.Sasl:
                    StartScram(request.ReadSaslMechanisms());
                    break;
                case AuthenticationKind.SaslContinue:
                    PasswordMessage.WriteSaslResponse(_pipeWriter!, RequireScram().HandleServerFirstMessage(request.Data.ToArray()));
                    break;
                case AuthenticationKind.SaslFinal:
                    RequireScram().VerifyServerFinalMessage(request.Data.ToArray());
                    continue;
                default:
                    throw Fail(new PgConnectionException(PgConnectionFailure.Authentication,
                        $"the server asked for authentication method {(int)request.Kind} ({request.Kind}), which pgark does not support; " +
                        "hint: use scram-sha-256, md5, password or trust for this user in pg_hba.conf"));
            }
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Chooses SCRAM-SHA-256-PLUS when TLS is on, the server offers it and channel_binding is not "disable";
    /// otherwise plain SCRAM-SHA-256 with the gs2 flag that tells the server whether we could have bound.
    /// </summary>
    private void StartScram(List<string> mechanisms)
    {
        string password = RequirePassword("SCRAM-SHA-256");
        bool bindingAllowed = !string.Equals(_settings.ChannelBinding, "disable", StringComparison.OrdinalIgnoreCase);
        bool tlsCertificate = _stream is System.Net.Security.SslStream { RemoteCertificate: X509Certificate2 };
        if (bindingAllowed && tlsCertificate && mechanisms.Contains("SCRAM-SHA-256-PLUS"))
        {
            var certificate = (X509Certificate2)((System.Net.Security.SslStream)_stream!).RemoteCertificate!;
            _scram = new ScramSha256Client(password, ScramChannelBinding.TlsServerEndPoint, TlsServerEndPoint.ComputeHash(certificate));
        }
        else if (mechanisms.Contains("SCRAM-SHA-256"))
        {
            if (ChannelBindingRequired)
            {
                throw Fail(new PgConnectionException(PgConnectionFailure.Authentication,
                    "channel_binding=require but the server did not offer SCRAM-SHA-256-PLUS" + (IsTls ? "" : " (the connection is not TLS)") +
                    "; hint: connect with sslmode=require or stronger to a server with scram-sha-256 in pg_hba.conf"));
            }
            var binding = bindingAllowed && IsTls ? ScramChannelBinding.SupportedButNotUsed : ScramChannelBinding.NotSupported;
            _scram = new ScramSha256Client(password, binding);
        }
        else
        {
            throw Fail(new PgConnectionException(PgConnectionFailure.Authentication,
                $"the server offered SASL mechanisms [{string.Join(", ", mechanisms)}], none of which pgark supports; " +
                "hint: use scram-sha-256 in pg_hba.conf"));
        }
        AuthenticationMethod = _scram.Mechanism;
        PasswordMessage.WriteSaslInitialResponse(_pipeWriter!, _scram.Mechanism, _scram.CreateClientFirstMessage());
    }

    private ScramSha256Client RequireScram() => _scram ?? throw Fail(new PgProtocolException(
        "the server sent a SASL continuation without starting SASL authentication (connection desynchronized)"));

    private bool ChannelBindingRequired => string.Equals(_settings.ChannelBinding, "require", StringComparison.OrdinalIgnoreCase);

    private void RequireChannelBindingNotDemanded(string method)
    {
        if (ChannelBindingRequired)
        {
            throw Fail(new PgConnectionException(PgConnectionFailure.Authentication,
                $"channel_binding=require but the server asked for {method} authentication, which cannot bind to the TLS channel; " +
                "hint: use scram-sha-256 in pg_hba.conf over TLS, or relax channel_binding"));
        }
    }

    private void CheckChannelBindingRequirement()
    {
        if (ChannelBindingRequired && AuthenticationMethod != "SCRAM-SHA-256-PLUS")
        {
            throw Fail(new PgConnectionException(PgConnectionFailure.Authentication,
                $"channel_binding=require but the server authenticated us with {AuthenticationMethod} and no channel binding; " +
                "hint: use scram-sha-256 in pg_hba.conf over TLS, or relax channel_binding"));
        }
    }

    private string RequirePassword(string method) => _settings.Password ?? throw Fail(new PgConnectionException(
        PgConnectionFailure.Authentication,
        $"the server asked for {method} authentication of user \"{_settings.User}\" but no password was given; " +
        "hint: set password=, PGPASSWORD or a passfile (~/.pgpass) entry"));

    /// <summary>After AuthenticationOk: ParameterStatus (handled by ReadMessageAsync), BackendKeyData, then ReadyForQuery.</summary>
    private async Task ReadUntilReadyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            byte code = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            switch (code)
            {
                case BackendMessageCode.BackendKeyData:
                    (ProcessId, SecretKey) = BackendKeyData.Parse(Messages.Payload);
                    break;
                case BackendMessageCode.ReadyForQuery:
                    TransactionStatus = ReadyForQuery.Parse(Messages.Payload);
                    return;
                case BackendMessageCode.ErrorResponse:
                    throw StartupError();
                case BackendMessageCode.NegotiateProtocolVersion:
                    NegotiateProtocolVersion.Parse(Messages.Payload);
                    break;
                default:
                    throw UnexpectedMessage(code, "during startup");
            }
        }
    }

    /// <summary>
    /// A server error during startup always ends the session. Class 28 (invalid authorization) becomes
    /// Authentication, everything else Rejected; the PgServerException stays the InnerException.
    /// </summary>
    private Exception StartupError()
    {
        PgServerException error;
        try
        {
            error = ErrorResponse.ParseError(Messages.Payload);
        }
        catch (PgWireException e)
        {
            return Fail(e);
        }
        string where = _settings.ToDisplayString();
        (PgConnectionFailure failure, string hint) = error.SqlState switch
        {
            "28P01" => (PgConnectionFailure.Authentication, "check the password given by password=, PGPASSWORD or the passfile"),
            "28000" => (PgConnectionFailure.Authentication,
                "add a pg_hba.conf line matching this connection type (host/hostssl/local), database, user and address, then reload the server"),
            _ when error.SqlState.StartsWith("28", StringComparison.Ordinal) => (PgConnectionFailure.Authentication, "check the user name and credentials"),
            "3D000" => (PgConnectionFailure.Rejected, "check the database name"),
            "53300" => (PgConnectionFailure.Rejected, "too many connections: raise max_connections or max_wal_senders, or close idle sessions"),
            "57P03" => (PgConnectionFailure.Rejected, "the server is starting up, shutting down or in recovery; retry when it is ready"),
            "42501" => (PgConnectionFailure.Rejected, "grant the needed privilege (replication connections need the REPLICATION attribute)"),
            _ => (PgConnectionFailure.Rejected, "see the server's message and log"),
        };
        return Fail(new PgConnectionException(failure, $"the server refused the session ({where}): {error.MessageText} " +
            $"(SQLSTATE {error.SqlState}); hint: {hint}", error));
    }
}
