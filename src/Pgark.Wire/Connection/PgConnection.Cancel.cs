using Pgark.Wire.Messages.Frontend;

namespace Pgark.Wire.Connection;

// Cancellation: a CancellationToken firing during a command sends a CancelRequest on a second connection; if
// the server has not ended the command after the grace period, the socket is closed (PgConnectionException Timeout).
public sealed partial class PgConnection
{
    private static readonly Action<object?> s_requestCancel = state => ((PgConnection)state!).RequestCancel();
    private static readonly TimerCallback s_abortAfterCancel = state => ((PgConnection)state!).AbortAfterCancel();
    private readonly Lock _cancelLock = new();
    private Timer? _cancelTimer;
    private bool _cancelRequested;
    private volatile bool _abortedAfterCancel;

    /// <summary>True when the current command's token fired and a CancelRequest went out.</summary>
    internal bool CancelRequested => _cancelRequested;

    /// <summary>Registers the token for the duration of one wait; no allocation when it cannot be canceled.</summary>
    internal CancellationTokenRegistration RegisterCancellation(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(s_requestCancel, this) : default;

    /// <summary>
    /// Asks the server to cancel whatever this session is running: opens a second connection and sends
    /// CancelRequest with this session's process id and secret key. The server answers the original command
    /// with ErrorResponse 57014 if it was still running.
    /// </summary>
    public async Task CancelAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.ConnectTimeout > TimeSpan.Zero ? _settings.ConnectTimeout : TimeSpan.FromSeconds(30));
        using System.Net.Sockets.Socket socket = await ConnectSocketAsync(_settings, timeout.Token).ConfigureAwait(false);
        await socket.SendAsync(CancelRequest.Create(ProcessId, SecretKey), timeout.Token).ConfigureAwait(false);
        // The server closes the socket once it has read the request; waiting for that keeps the request from
        // being lost in a reset if we closed first.
        var sink = new byte[1];
        await socket.ReceiveAsync(sink, timeout.Token).ConfigureAwait(false);
    }

    private void RequestCancel()
    {
        lock (_cancelLock)
        {
            if (_cancelRequested || _state != ConnectionState.Busy)
                return;
            _cancelRequested = true;
            _cancelTimer = new Timer(s_abortAfterCancel, this, _options.CancellationGracePeriod, Timeout.InfiniteTimeSpan);
        }
        _ = SendCancelQuietlyAsync();
    }

    private async Task SendCancelQuietlyAsync()
    {
        try
        {
            await CancelAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PgWireException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            // The grace timer closes the connection if the cancel never lands.
        }
    }

    private void AbortAfterCancel()
    {
        lock (_cancelLock)
        {
            if (!_cancelRequested)
                return;
            _abortedAfterCancel = true;
        }
        // Closing the socket makes the pending read fail; ReadMessageAsync reports it as Timeout.
        CloseTransport();
    }

    private void StopCancellationTimer()
    {
        lock (_cancelLock)
        {
            _cancelTimer?.Dispose();
            _cancelTimer = null;
            _cancelRequested = false;
        }
    }
}
