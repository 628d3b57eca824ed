using System.Net.Sockets;

namespace Pgark.Wire.Connection;

// OpenAsync: socket → (TLS) → startup and authentication → ReadyForQuery, under one connect timeout.
public sealed partial class PgConnection
{
    /// <summary>
    /// Connects, negotiates TLS per sslmode, authenticates and waits for ReadyForQuery.
    /// Failures are <see cref="PgConnectionException"/>s whose <see cref="PgConnectionException.Failure"/> says what
    /// went wrong. When the server refused the session with an ErrorResponse (wrong password 28P01, no pg_hba.conf
    /// entry 28000, unknown database 3D000, ...), that <see cref="PgServerException"/> is the InnerException, so
    /// callers can branch on its SqlState.
    /// </summary>
    public static Task<PgConnection> OpenAsync(ConnectionSettings settings, CancellationToken cancellationToken = default) =>
        OpenAsync(settings, PgConnectionOptions.Default, cancellationToken);

    /// <inheritdoc cref="OpenAsync(ConnectionSettings, CancellationToken)"/>
    public static async Task<PgConnection> OpenAsync(ConnectionSettings settings, PgConnectionOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        // sslmode=allow tries plaintext first and only falls back to TLS when the server refuses it (pg_hba hostssl).
        if (settings.SslMode == SslMode.Allow && !settings.IsUnixSocket)
        {
            try
            {
                return await OpenOnceAsync(settings, options, useTls: false, cancellationToken).ConfigureAwait(false);
            }
            catch (PgConnectionException e) when (e.InnerException is PgServerException { SqlState: "28000" })
            {
                return await OpenOnceAsync(settings, options, useTls: true, cancellationToken).ConfigureAwait(false);
            }
        }
        // TLS is never negotiated over Unix sockets (libpq does the same): the socket file is already local.
        bool useTls = settings.SslMode != SslMode.Disable && !settings.IsUnixSocket;
        return await OpenOnceAsync(settings, options, useTls, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<PgConnection> OpenOnceAsync(ConnectionSettings settings, PgConnectionOptions options, bool useTls,
        CancellationToken cancellationToken)
    {
        var connection = new PgConnection(settings, options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.ConnectTimeout > TimeSpan.Zero)
            timeout.CancelAfter(settings.ConnectTimeout);
        try
        {
            Socket socket = await ConnectSocketAsync(settings, timeout.Token).ConfigureAwait(false);
            var network = new NetworkStream(socket, ownsSocket: true);
            connection._socket = socket;
            connection._stream = network;
            Stream stream = useTls ? await NegotiateTlsAsync(network, settings, timeout.Token).ConfigureAwait(false) : network;
            connection.AttachPipes(socket, stream);
            await connection.StartupAsync(timeout.Token).ConfigureAwait(false);
            return connection;
        }
        // A read cut short by the timer can surface as an I/O error rather than a cancellation, depending on where
        // the socket was; whichever it is, the cause is the connect timeout.
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && (e is OperationCanceledException || (timeout.IsCancellationRequested && e is IOException or SocketException)))
        {
            connection.Break();
            throw new PgConnectionException(PgConnectionFailure.Timeout,
                $"connecting to {settings.ToDisplayString()} timed out after {settings.ConnectTimeout.TotalSeconds:0.#} s; " +
                "hint: check that the server is up and reachable, or raise connect_timeout", e);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            connection.Break();
            throw new PgConnectionException(PgConnectionFailure.Lost,
                $"connection to {settings.ToDisplayString()} failed during startup: {e.Message}; hint: check the server log", e);
        }
        catch
        {
            connection.Break();
            throw;
        }
    }
}
