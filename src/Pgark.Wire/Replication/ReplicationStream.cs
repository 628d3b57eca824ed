using System.Runtime.CompilerServices;
using Pgark.Wire.Connection;
using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Backend;
using Pgark.Wire.Messages.Frontend;

namespace Pgark.Wire.Replication;

/// <summary>What <see cref="ReplicationStream.ReadAsync"/> found.</summary>
public enum ReplicationMessageKind
{
    /// <summary>WAL bytes: see <see cref="ReplicationStream.XLogData"/>.</summary>
    XLogData,
    /// <summary>A keepalive: see <see cref="ReplicationStream.Keepalive"/>; answer it when ReplyRequested.</summary>
    Keepalive,
    /// <summary>The server ended the stream (end of timeline or shutdown): call <see cref="ReplicationStream.EndAsync"/>.</summary>
    EndOfStream,
}

/// <summary>
/// The CopyBoth phase of START_REPLICATION: XLogData and keepalives from the server, standby status updates
/// back. Cancelling a read is safe (no partial message is consumed); the connection stays in streaming mode
/// until <see cref="EndAsync"/>.
/// </summary>
public sealed class ReplicationStream
{
    private readonly PgQueryReader _reader;
    private bool _serverDone;
    /// <summary>The walsender ended the session with CommandComplete inside CopyBoth and exits: nothing more will come.</summary>
    private bool _serverExited;
    private bool _clientDone;

    private ReplicationStream(PgQueryReader reader) => _reader = reader;

    private PgConnection Connection => _reader.Connection;

    /// <summary>The last XLogData read; its Data is valid until the next read.</summary>
    public XLogData XLogData { get; private set; }

    /// <summary>The last keepalive read.</summary>
    public PrimaryKeepalive Keepalive { get; private set; }

    internal static async Task<ReplicationStream> StartAsync(PgConnection connection, string sql, CancellationToken cancellationToken)
    {
        PgQueryReader reader = await connection.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        if (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false) && reader.Kind == PgResultKind.CopyBoth)
            return new ReplicationStream(reader);
        PgResultKind kind = reader.Kind;
        await reader.DisposeAsync().ConfigureAwait(false);
        throw new PgProtocolException($"START_REPLICATION answered {kind} instead of CopyBothResponse");
    }

    /// <summary>Reads the next replication message. <paramref name="cancellationToken"/> only abandons the wait.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReplicationMessageKind> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_serverDone)
            return ReplicationMessageKind.EndOfStream;
        byte code = await Connection.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        switch (code)
        {
            case BackendMessageCode.CopyData:
                return ParseCopyData();
            case BackendMessageCode.CopyDone:
                _serverDone = true;
                return ReplicationMessageKind.EndOfStream;
            case BackendMessageCode.CommandComplete:
                // A walsender that is shutting down after the client caught up sends CommandComplete without CopyDone
                // and exits (WalSndDone in walsender.c, every supported version): the end of the stream, not a desync.
                _serverDone = true;
                _serverExited = true;
                return ReplicationMessageKind.EndOfStream;
            case BackendMessageCode.ErrorResponse:
                _reader.CloseResult();
                throw await _reader.FailAsync().ConfigureAwait(false);
            default:
                throw Connection.UnexpectedMessage(code, "during replication streaming");
        }
    }

    private ReplicationMessageKind ParseCopyData()
    {
        var payload = Connection.Messages.Payload;
        if (payload.IsEmpty)
            throw Connection.Fail(new PgProtocolException("empty CopyData during replication streaming"));
        try
        {
            switch (payload.FirstSpan[0])
            {
                case XLogData.Code:
                    XLogData = XLogData.Parse(payload);
                    return ReplicationMessageKind.XLogData;
                case PrimaryKeepalive.Code:
                    Keepalive = PrimaryKeepalive.Parse(payload);
                    return ReplicationMessageKind.Keepalive;
                default:
                    throw new PgProtocolException($"unknown replication message 0x{payload.FirstSpan[0]:X2} inside CopyData");
            }
        }
        catch (PgProtocolException e)
        {
            throw Connection.Fail(e);
        }
    }

    /// <summary>Tells the server how far WAL has been written, flushed and applied (each = last byte + 1).</summary>
    public ValueTask SendStatusUpdateAsync(Lsn written, Lsn flushed, Lsn applied, bool replyRequested = false,
        CancellationToken cancellationToken = default)
    {
        if (_clientDone)
            throw new InvalidOperationException("the stream was already ended by EndAsync");
        Span<byte> message = stackalloc byte[StandbyStatusUpdate.Length];
        StandbyStatusUpdate.Write(message, written, flushed, applied, PgTimestamp.FromDateTime(DateTime.UtcNow), replyRequested);
        CopyMessages.WriteCopyData(Connection.Writer, message);
        return Connection.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Leaves streaming: sends CopyDone (if not yet), skips what the server still had in flight, reads its
    /// CopyDone and the command's end. Returns the next timeline when the server stopped at the end of one.
    /// </summary>
    public async Task<TimelineSwitch?> EndAsync(CancellationToken cancellationToken = default)
    {
        if (_serverExited)
            return null; // the server process is gone; the connection has nothing more to say
        if (!_clientDone)
        {
            _clientDone = true;
            CopyMessages.WriteCopyDone(Connection.Writer);
            await Connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        while (!_serverDone)
        {
            if (await ReadAsync(cancellationToken).ConfigureAwait(false) == ReplicationMessageKind.EndOfStream)
                break;
        }
        _reader.CloseResult();
        TimelineSwitch? next = null;
        await using (_reader.ConfigureAwait(false))
        {
            while (await _reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await _reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (_reader.FieldCount == 2 && _reader.GetString(0) is { } tli && _reader.GetString(1) is { } startPos)
                        next = new TimelineSwitch(TimelineId.Parse(tli), Lsn.Parse(startPos));
                }
            }
        }
        return next;
    }
}
