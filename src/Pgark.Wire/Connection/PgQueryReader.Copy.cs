using System.Runtime.CompilerServices;
using System.Buffers;
using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Backend;

namespace Pgark.Wire.Connection;

// COPY OUT: CopyData payloads one at a time, zero-copy; backpressure comes from not reading.
public sealed partial class PgQueryReader
{
    /// <summary>The current CopyData payload; a slice of the receive buffer, valid until the next read.</summary>
    public ReadOnlySequence<byte> CopyData { get; private set; }

    /// <summary>
    /// Advances to the next CopyData of a COPY OUT result; false after CopyDone and CommandComplete (then
    /// <see cref="CommandTag"/> is "COPY n"). The server is only read as fast as this is called, so TCP flow
    /// control pushes back on it and memory stays at one message.
    /// </summary>
    public ValueTask<bool> ReadCopyDataAsync(CancellationToken cancellationToken = default)
    {
        if (Kind != PgResultKind.CopyOut)
            throw new InvalidOperationException($"the current result is {Kind}, not CopyOut");
        CopyData = default;
        if (!_resultOpen)
            return new ValueTask<bool>(false);
        ValueTask<byte> pending = ReadMessageAsync();
        if (pending.IsCompletedSuccessfully)
        {
            byte code = pending.Result;
            if (code == BackendMessageCode.CopyData)
            {
                CopyData = _connection.Messages.Payload;
                return new ValueTask<bool>(true);
            }
            pending = new ValueTask<byte>(code);
        }
        return ReadCopyDataSlowAsync(pending, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadCopyDataSlowAsync(ValueTask<byte> pending, CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration registration = _connection.RegisterCancellation(cancellationToken);
        while (true)
        {
            byte code = await pending.ConfigureAwait(false);
            switch (code)
            {
                case BackendMessageCode.CopyData:
                    CopyData = _connection.Messages.Payload;
                    return true;
                case BackendMessageCode.CopyDone:
                    break;
                case BackendMessageCode.CommandComplete:
                    CommandTag = CommandComplete.Parse(_connection.Messages.Payload);
                    _resultOpen = false;
                    return false;
                case BackendMessageCode.ErrorResponse:
                    throw await FailAsync().ConfigureAwait(false);
                default:
                    throw _connection.UnexpectedMessage(code, "inside COPY OUT");
            }
            pending = ReadMessageAsync();
        }
    }

    /// <summary>Hands the open COPY IN or CopyBoth result to its writer or stream.</summary>
    internal void CloseResult() => _resultOpen = false;

    internal bool ResultOpen => _resultOpen;
}
