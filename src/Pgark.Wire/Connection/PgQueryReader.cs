using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Backend;

namespace Pgark.Wire.Connection;

/// <summary>
/// Streams the results of one simple Query: a sequence of results (row sets, command tags, COPY streams), each
/// read message by message and never buffered whole. Row values and COPY payloads are slices of the receive
/// buffer, valid until the next read on this reader. Disposing drains the rest, leaving the connection ready.
/// </summary>
/// <remarks>
/// An ErrorResponse is surfaced as <see cref="PgServerException"/> after ReadyForQuery has been read, so the
/// connection stays usable. When the query's token fired and the server answered 57014, the exception is an
/// <see cref="OperationCanceledException"/> wrapping it.
/// </remarks>
public sealed partial class PgQueryReader : IAsyncDisposable
{
    private readonly PgConnection _connection;
    private readonly CancellationToken _queryToken;
    private (long Offset, int Length)[] _fields = new (long, int)[16];
    private int _fieldCount;
    // True while the current result still has unread messages (rows or COPY data before its CommandComplete).
    private bool _resultOpen;
    private bool _finished;

    internal PgQueryReader(PgConnection connection, CancellationToken queryToken)
    {
        _connection = connection;
        _queryToken = queryToken;
    }

    public PgResultKind Kind { get; private set; }

    /// <summary>Columns of the current row set (empty for other kinds).</summary>
    public IReadOnlyList<PgColumn> Columns { get; private set; } = [];

    /// <summary>CommandComplete tag of the current result once it is fully read ("SELECT 3", "COPY 42").</summary>
    public string? CommandTag { get; private set; }

    internal PgConnection Connection => _connection;

    /// <summary>Moves to the next result; false once ReadyForQuery arrived (the query is over).</summary>
    public async ValueTask<bool> NextResultAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
            return false;
        if (Kind == PgResultKind.CopyIn && _resultOpen)
            throw new InvalidOperationException("the COPY FROM STDIN is still open; complete or fail it with PgCopyInWriter");
        if (Kind == PgResultKind.CopyBoth && _resultOpen)
            throw new InvalidOperationException("the CopyBoth stream is still open; end it with ReplicationStream.EndAsync");
        using CancellationTokenRegistration registration = _connection.RegisterCancellation(cancellationToken);
        while (_resultOpen)
            await SkipOneAsync().ConfigureAwait(false);

        CommandTag = null;
        Columns = [];
        byte code = await ReadMessageAsync().ConfigureAwait(false);
        switch (code)
        {
            case BackendMessageCode.RowDescription:
                Columns = RowDescription.Parse(_connection.Messages.Payload);
                return Open(PgResultKind.Rows);
            case BackendMessageCode.CommandComplete:
                CommandTag = CommandComplete.Parse(_connection.Messages.Payload);
                Kind = PgResultKind.Command;
                return true;
            case BackendMessageCode.EmptyQueryResponse:
                Kind = PgResultKind.Empty;
                return true;
            case BackendMessageCode.CopyOutResponse:
                CopyResponse.Parse(_connection.Messages.Payload, "CopyOutResponse");
                return Open(PgResultKind.CopyOut);
            case BackendMessageCode.CopyInResponse:
                CopyResponse.Parse(_connection.Messages.Payload, "CopyInResponse");
                return Open(PgResultKind.CopyIn);
            case BackendMessageCode.CopyBothResponse:
                CopyResponse.Parse(_connection.Messages.Payload, "CopyBothResponse");
                return Open(PgResultKind.CopyBoth);
            case BackendMessageCode.ReadyForQuery:
                Finish();
                return false;
            case BackendMessageCode.ErrorResponse:
                throw await FailAsync().ConfigureAwait(false);
            default:
                throw _connection.UnexpectedMessage(code, "where a query result should start");
        }
    }

    private bool Open(PgResultKind kind)
    {
        Kind = kind;
        _resultOpen = true;
        return true;
    }

    /// <summary>Reads to the end of the query (ReadyForQuery), throwing the query's error if one comes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_finished || _connection.IsBroken)
            return;
        if (Kind is PgResultKind.CopyIn or PgResultKind.CopyBoth && _resultOpen)
        {
            // Abandoned mid-COPY: the protocol offers no way back to idle without the caller's cooperation.
            await _connection.DisposeAsync().ConfigureAwait(false);
            return;
        }
        while (await NextResultAsync().ConfigureAwait(false))
        {
        }
    }

    /// <summary>One message inside the current result that the caller chose not to read.</summary>
    private async ValueTask SkipOneAsync()
    {
        byte code = await ReadMessageAsync().ConfigureAwait(false);
        switch (code)
        {
            case BackendMessageCode.DataRow when Kind == PgResultKind.Rows:
            case BackendMessageCode.CopyData when Kind == PgResultKind.CopyOut:
            case BackendMessageCode.CopyDone when Kind == PgResultKind.CopyOut:
                return;
            case BackendMessageCode.CommandComplete:
                CommandTag = CommandComplete.Parse(_connection.Messages.Payload);
                _resultOpen = false;
                return;
            case BackendMessageCode.ErrorResponse:
                throw await FailAsync().ConfigureAwait(false);
            default:
                throw _connection.UnexpectedMessage(code, $"inside a {Kind} result");
        }
    }

    internal ValueTask<byte> ReadMessageAsync() => _connection.ReadMessageAsync(CancellationToken.None);

    internal void Finish()
    {
        _finished = true;
        _resultOpen = false;
        Kind = PgResultKind.None;
        _connection.EndCommand(ReadyForQuery.Parse(_connection.Messages.Payload));
    }

    /// <summary>
    /// After an ErrorResponse the server skips the rest of the query string and sends ReadyForQuery; read up to
    /// it so the connection is usable, then hand back the error to throw.
    /// </summary>
    internal async ValueTask<Exception> FailAsync()
    {
        Exception error = _connection.ServerError();
        if (error is not PgServerException serverError)
            return error;
        while (true)
        {
            byte code = await ReadMessageAsync().ConfigureAwait(false);
            if (code == BackendMessageCode.ReadyForQuery)
                break;
            // Anything but ReadyForQuery after an error (in a simple Query) is a desync.
            if (code != BackendMessageCode.CopyData)
                return _connection.UnexpectedMessage(code, "after an ErrorResponse");
        }
        bool canceled = _connection.CancelRequested && serverError.SqlState == "57014";
        Finish();
        return canceled
            ? new OperationCanceledException("the command was canceled at the caller's request", serverError, _queryToken)
            : serverError;
    }
}
