using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Pgark.Wire.Messages;

/// <summary>
/// Reads backend messages one at a time from a <see cref="PipeReader"/>. The current message's payload is a
/// slice of the pipe's buffer: no copy, valid only until the next <see cref="ReadAsync"/>. A message is consumed
/// (AdvanceTo) lazily at the next read, so callers never have to release anything.
/// </summary>
public sealed class BackendMessageReader
{
    private readonly PipeReader _reader;
    private readonly MessageLimits _limits;
    private SequencePosition _consumed;
    private bool _holding;

    public BackendMessageReader(PipeReader reader, MessageLimits? limits = null)
    {
        _reader = reader;
        _limits = limits ?? MessageLimits.Default;
    }

    /// <summary>Code of the message last returned by <see cref="ReadAsync"/>.</summary>
    public byte Code { get; private set; }

    /// <summary>Payload of the current message (after the 5-byte header); valid until the next read.</summary>
    public ReadOnlySequence<byte> Payload { get; private set; }

    /// <summary>
    /// Returns the next message's code. Throws <see cref="PgProtocolException"/> on an impossible header and
    /// <see cref="PgConnectionException"/> (Lost) when the stream ends or fails. Cancellation leaves the stream intact:
    /// nothing of the next message is consumed until it is whole.
    /// </summary>
    public ValueTask<byte> ReadAsync(CancellationToken cancellationToken = default)
    {
        Release();
        // Fast path: the whole next message is already buffered, so complete synchronously without allocating.
        if (_reader.TryRead(out ReadResult result) && TryTake(result))
            return new ValueTask<byte>(Code);
        return ReadSlowAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<byte> ReadSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                throw new PgConnectionException(PgConnectionFailure.Lost,
                    $"connection to the server was lost: {e.Message}; hint: check the server log for a crash or shutdown", e);
            }
            if (TryTake(result))
                return Code;
        }
    }

    /// <summary>Consumes the current message so the pipe can reuse its memory.</summary>
    public void Release()
    {
        if (!_holding)
            return;
        _holding = false;
        Payload = default;
        _reader.AdvanceTo(_consumed);
    }

    private bool TryTake(ReadResult result)
    {
        ReadOnlySequence<byte> buffer = result.Buffer;
        switch (BackendFraming.TryRead(buffer, _limits, out byte code, out ReadOnlySequence<byte> payload, out string? error))
        {
            case FrameStatus.Done:
                Code = code;
                Payload = payload;
                _consumed = payload.End;
                _holding = true;
                return true;
            case FrameStatus.Invalid:
                _reader.AdvanceTo(buffer.Start);
                throw new PgProtocolException($"{error} (connection desynchronized; closing it)");
            default:
                long buffered = buffer.Length;
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    ThrowHelper.ThrowLost(buffered == 0
                        ? "the server closed the connection unexpectedly; hint: the server may have crashed, been shut down, or terminated this session (see its log)"
                        : $"the server closed the connection in the middle of a message ({buffered} bytes of it received); hint: check the server log");
                }
                if (result.IsCanceled)
                    throw new OperationCanceledException("the read was canceled");
                return false;
        }
    }
}
