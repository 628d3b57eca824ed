using Pgark.Wire.Connection;
using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Frontend;

namespace Pgark.Wire.Copy;

/// <summary>
/// Sends the data of a <c>COPY ... FROM STDIN</c>. Writes are buffered in the connection's pipe and flushed once
/// <see cref="PgConnectionOptions.WriteFlushThreshold"/> bytes are pending; the flush waits for the socket, which
/// is the backpressure. A server error during the copy (bad row) arrives when the copy is completed and is
/// thrown as <see cref="PgServerException"/>; the connection stays usable.
/// </summary>
public sealed class PgCopyInWriter : IAsyncDisposable
{
    private readonly PgQueryReader _reader;
    private long _unflushed;
    private bool _ended;

    internal PgCopyInWriter(PgQueryReader reader) => _reader = reader;

    private PgConnection Connection => _reader.Connection;

    /// <summary>Sends one CopyData message holding <paramref name="data"/> (any split of the COPY stream is valid).</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        CopyMessages.WriteCopyData(Connection.Writer, data.Span);
        _unflushed += data.Length + BackendFraming.HeaderLength;
        if (_unflushed < Connection.Options.WriteFlushThreshold)
            return ValueTask.CompletedTask;
        _unflushed = 0;
        return Connection.FlushAsync(cancellationToken);
    }

    /// <summary>Sends CopyDone and reads the outcome; returns the CommandComplete tag ("COPY n").</summary>
    public async Task<string?> CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        _ended = true;
        CopyMessages.WriteCopyDone(Connection.Writer);
        await Connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await FinishAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends CopyFail: the server aborts the COPY (nothing is committed) and answers with the error it was asked
    /// to raise, which is expected and not thrown.
    /// </summary>
    public async Task FailAsync(string reason, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        _ended = true;
        CopyMessages.WriteCopyFail(Connection.Writer, reason);
        await Connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FinishAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PgServerException e) when (e.SqlState == "57014")
        {
            // "COPY from stdin failed: <reason>": the answer to our own CopyFail.
        }
    }

    private async Task<string?> FinishAsync(CancellationToken cancellationToken)
    {
        _reader.CloseResult();
        await using (_reader.ConfigureAwait(false))
        {
            using CancellationTokenRegistration registration = Connection.RegisterCancellation(cancellationToken);
            string? tag = null;
            while (await _reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
                tag = _reader.CommandTag ?? tag;
            return tag;
        }
    }

    /// <summary>Abandoning an unfinished copy fails it, so the connection returns to idle.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_ended && !Connection.IsBroken)
            await FailAsync("COPY abandoned by the client").ConfigureAwait(false);
    }
}
