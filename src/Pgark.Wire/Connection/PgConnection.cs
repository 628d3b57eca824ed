using System.Runtime.CompilerServices;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Backend;

namespace Pgark.Wire.Connection;

/// <summary>
/// One PostgreSQL session over TCP or a Unix socket, optionally TLS, speaking protocol 3.0 through
/// System.IO.Pipelines. One command at a time: a <see cref="PgQueryReader"/>, COPY writer or replication stream
/// owns the connection until it has read ReadyForQuery. A protocol violation, I/O error or FATAL error breaks
/// the connection for good (<see cref="IsBroken"/>); an ordinary ErrorResponse leaves it usable.
/// </summary>
public sealed partial class PgConnection : IAsyncDisposable
{
    private readonly ConnectionSettings _settings;
    private readonly PgConnectionOptions _options;
    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);
    private Socket? _socket;
    private Stream? _stream;
    private PipeReader? _pipeReader;
    private PipeWriter? _pipeWriter;
    private BackendMessageReader? _messages;
    private ConnectionState _state = ConnectionState.Connecting;

    private PgConnection(ConnectionSettings settings, PgConnectionOptions options)
    {
        _settings = settings;
        _options = options;
    }

    private enum ConnectionState { Connecting, Ready, Busy, Broken, Closed }

    /// <summary>The settings this connection was opened with.</summary>
    public ConnectionSettings Settings => _settings;

    /// <summary>Every ParameterStatus the server reported (server_version, server_encoding, TimeZone, ...), kept current.</summary>
    public IReadOnlyDictionary<string, string> Parameters => _parameters;

    /// <summary>server_version_num form of the server version: 150004 for "15.4", 170000 for "17.0", 130012 for "13.12".</summary>
    public int ServerVersionNumber { get; private set; }

    /// <summary>Backend process id (from BackendKeyData), as in pg_stat_activity.pid.</summary>
    public int ProcessId { get; private set; }

    private int SecretKey { get; set; }

    /// <summary>Whether the session runs over TLS.</summary>
    public bool IsTls => _stream is System.Net.Security.SslStream;

    /// <summary>"trust", "password", "md5", "SCRAM-SHA-256" or "SCRAM-SHA-256-PLUS": how the server authenticated us.</summary>
    public string AuthenticationMethod { get; private set; } = "trust";

    /// <summary>Transaction status from the last ReadyForQuery.</summary>
    public TransactionStatus TransactionStatus { get; private set; } = TransactionStatus.Idle;

    /// <summary>True once the connection failed; it cannot be used again and should be disposed.</summary>
    public bool IsBroken => _state == ConnectionState.Broken;

    internal BackendMessageReader Messages => _messages!;

    internal PipeWriter Writer => _pipeWriter!;

    internal PgConnectionOptions Options => _options;

    /// <summary>Marks the start of a command; throws when another one still owns the connection.</summary>
    internal void BeginCommand()
    {
        switch (_state)
        {
            case ConnectionState.Ready:
                _state = ConnectionState.Busy;
                return;
            case ConnectionState.Busy:
                throw new InvalidOperationException("the connection is busy with another command; finish or dispose its reader first");
            case ConnectionState.Broken:
                throw new PgConnectionException(PgConnectionFailure.Lost, "the connection is broken by an earlier failure; open a new one");
            default:
                throw new ObjectDisposedException(nameof(PgConnection));
        }
    }

    /// <summary>Called with each ReadyForQuery: the command is over and the connection is free again.</summary>
    internal void EndCommand(TransactionStatus status)
    {
        TransactionStatus = status;
        StopCancellationTimer();
        if (_state == ConnectionState.Busy)
            _state = ConnectionState.Ready;
    }

    /// <summary>
    /// Next message, with NoticeResponse, ParameterStatus and NotificationResponse handled here so callers only
    /// see the messages of their own flow. Synchronous when the message is already buffered.
    /// </summary>
    internal ValueTask<byte> ReadMessageAsync(CancellationToken cancellationToken)
    {
        ValueTask<byte> pending;
        try
        {
            pending = _messages!.ReadAsync(cancellationToken);
        }
        catch (PgWireException e)
        {
            throw Fail(e);
        }
        if (pending.IsCompletedSuccessfully)
        {
            // Re-wrap the result: a consumed ValueTask must never be awaited again by the slow path.
            byte code = pending.Result;
            if (!IsAsynchronous(code))
                return new ValueTask<byte>(code);
            pending = new ValueTask<byte>(code);
        }
        return ReadMessageSlowAsync(pending, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<byte> ReadMessageSlowAsync(ValueTask<byte> pending, CancellationToken cancellationToken)
    {
        while (true)
        {
            byte code;
            try
            {
                code = await pending.ConfigureAwait(false);
            }
            catch (PgWireException e)
            {
                throw Fail(e);
            }
            if (!IsAsynchronous(code))
                return code;
            HandleAsynchronous(code);
            try
            {
                pending = _messages!.ReadAsync(cancellationToken);
            }
            catch (PgWireException e)
            {
                throw Fail(e);
            }
        }
    }

    private static bool IsAsynchronous(byte code) => code is BackendMessageCode.NoticeResponse or BackendMessageCode.ParameterStatus
        or BackendMessageCode.NotificationResponse;

    private void HandleAsynchronous(byte code)
    {
        try
        {
            switch (code)
            {
                case BackendMessageCode.NoticeResponse:
                    PgNotice notice = ErrorResponse.ParseNotice(_messages!.Payload);
                    _options.NoticeHandler?.Invoke(notice);
                    break;
                case BackendMessageCode.ParameterStatus:
                    (string name, string value) = ParameterStatus.Parse(_messages!.Payload);
                    _parameters[name] = value;
                    if (name == "server_version")
                        ServerVersionNumber = ParseServerVersion(value);
                    break;
                // NotificationResponse (LISTEN/NOTIFY): pgark never listens; the message is well-framed, so drop it.
            }
        }
        catch (Exception e)
        {
            throw Fail(e);
        }
    }

    /// <summary>
    /// An ErrorResponse in the middle of a command. FATAL and PANIC end the session (the server closes the
    /// socket next), so they break the connection and surface as Lost with the server's error inside.
    /// </summary>
    internal Exception ServerError()
    {
        PgServerException error;
        try
        {
            error = ErrorResponse.ParseError(_messages!.Payload);
        }
        catch (PgWireException e)
        {
            return Fail(e);
        }
        if (error.Severity is "FATAL" or "PANIC")
        {
            return Fail(new PgConnectionException(PgConnectionFailure.Lost,
                $"the server ended the session: {error.Message}; hint: check the server log (shutdown, terminated backend or crash)",
                error));
        }
        return error;
    }

    /// <summary>Breaks the connection and returns the exception to throw (a timeout abort is reported as such).</summary>
    internal Exception Fail(Exception e)
    {
        Break();
        if (_abortedAfterCancel && e is PgConnectionException { Failure: PgConnectionFailure.Lost })
        {
            return new PgConnectionException(PgConnectionFailure.Timeout,
                $"the server did not end the canceled command within {_options.CancellationGracePeriod.TotalSeconds:0.#} s, " +
                "so the connection was closed; hint: the server may be overloaded or unreachable", e);
        }
        return e;
    }

    internal Exception UnexpectedMessage(byte code, string context) =>
        Fail(new PgProtocolException($"unexpected backend message {BackendMessageCode.Describe(code)} {context} (connection desynchronized; closing it)"));

    /// <summary>Sends what has been written to the pipe; a write failure breaks the connection.</summary>
    internal async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _pipeWriter!.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            throw Fail(new PgConnectionException(PgConnectionFailure.Lost,
                $"connection to the server was lost while sending: {e.Message}; hint: check the server log", e));
        }
    }

    private void Break()
    {
        if (_state is ConnectionState.Broken or ConnectionState.Closed)
            return;
        _state = ConnectionState.Broken;
        StopCancellationTimer();
        CloseTransport();
    }

    private void CloseTransport()
    {
        try
        {
            _stream?.Dispose();
            _socket?.Dispose();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Closing a socket that already failed: nothing more to do.
        }
    }

    internal static int ParseServerVersion(string version)
    {
        // "15.4", "16.1 (Debian 16.1-1.pgdg120+1)", "17beta1", "13.12": major.minor, or major + pre-release tag.
        ReadOnlySpan<char> text = version.AsSpan();
        int major = ReadNumber(ref text);
        int minor = 0;
        if (text.Length > 0 && text[0] == '.')
        {
            text = text[1..];
            minor = ReadNumber(ref text);
        }
        return major * 10000 + minor;

        static int ReadNumber(ref ReadOnlySpan<char> text)
        {
            int digits = 0;
            while (digits < text.Length && char.IsAsciiDigit(text[digits]))
                digits++;
            int value = digits == 0 ? 0 : int.Parse(text[..digits], CultureInfo.InvariantCulture);
            text = text[digits..];
            return value;
        }
    }

    /// <summary>Sends Terminate when idle, then closes the socket. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_state == ConnectionState.Closed)
            return;
        if (_state == ConnectionState.Ready && _pipeWriter is not null)
        {
            try
            {
                Wire.Messages.Frontend.Terminate.Write(_pipeWriter);
                await _pipeWriter.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // The server is already gone; closing is all that is left.
            }
        }
        _state = ConnectionState.Closed;
        StopCancellationTimer();
        CloseTransport();
    }
}
