using System.Buffers;
using System.Globalization;
using System.Text;
using Pgark.Wire.Connection;
using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Backend;

namespace Pgark.Wire.Replication;

/// <summary>
/// A running BASE_BACKUP, read message by message so the server only sends as fast as the caller consumes (TCP flow
/// control is the backpressure; memory stays at one CopyData). Both dialects end up as the same sequence:
/// ArchiveStarted, ArchiveData…, [Progress…], per archive; then ManifestStarted, ManifestData…; then End.
/// </summary>
/// <remarks>
/// PostgreSQL 15+ (protocol-replication.html): two result sets (start position + timeline; tablespaces), one CopyOut
/// whose CopyData start with 'n' (new archive: name, tablespace location), 'd' (data), 'p' (progress, Int64 bytes),
/// 'm' (manifest follows), then a result set with the end position. PostgreSQL 13/14: the same two result sets, one
/// CopyOut of raw tar per tablespace in the order of the tablespace rows, one CopyOut with the manifest, then the end
/// result set. Row sets are read here message by message rather than through <see cref="PgQueryReader.ReadAsync"/>
/// because walsenders do not always close a row set with CommandComplete before the next one starts.
/// </remarks>
public sealed partial class BaseBackupStream : IAsyncDisposable
{
    private readonly PgQueryReader _reader;
    private readonly bool _modern;
    private readonly List<BaseBackupTablespace> _tablespaces = [];
    private (long Offset, int Length)[] _fields = new (long, int)[4];
    private int _legacyCopyIndex;
    private bool _inCopy;
    private bool _inManifest;
    private bool _ended;
    private bool _pendingData;

    private BaseBackupStream(PgQueryReader reader, bool modern)
    {
        _reader = reader;
        _modern = modern;
    }

    private PgConnection Connection => _reader.Connection;

    public Lsn StartLsn { get; private set; }
    public TimelineId StartTimeline { get; private set; }
    public IReadOnlyList<BaseBackupTablespace> Tablespaces => _tablespaces;

    /// <summary>The archive whose data is being read.</summary>
    public BaseBackupArchive? Archive { get; private set; }

    /// <summary>Archive or manifest bytes of the last read: a slice of the receive buffer, valid until the next read.</summary>
    public ReadOnlySequence<byte> Data { get; private set; }

    public long ProgressBytes { get; private set; }
    public Lsn EndLsn { get; private set; }
    public TimelineId EndTimeline { get; private set; }

    /// <summary>
    /// Sends BASE_BACKUP (dialect by server version) and reads up to the first archive: the start position and the
    /// tablespace list are then available. Errors before the backup starts (e.g. "a backup is already in
    /// progress", no replication privilege) throw <see cref="PgServerException"/>.
    /// </summary>
    public static async Task<BaseBackupStream> StartAsync(PgConnection connection, BaseBackupOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        string sql = BaseBackupCommand.Build(options, connection.ServerVersionNumber);
        PgQueryReader reader = await connection.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        var stream = new BaseBackupStream(reader, connection.ServerVersionNumber >= BaseBackupCommand.ModernVersion);
        await stream.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        return stream;
    }

    /// <summary>Reads the start-position and tablespace result sets, stopping at the first CopyOutResponse.</summary>
    private async Task ReadHeaderAsync(CancellationToken cancellationToken)
    {
        int rowSets = 0;
        while (true)
        {
            byte code = await NextMessageAsync(cancellationToken).ConfigureAwait(false);
            switch (code)
            {
                case BackendMessageCode.RowDescription:
                    rowSets++;
                    break;
                case BackendMessageCode.DataRow when rowSets == 1:
                    (StartLsn, StartTimeline) = ParsePosition("start");
                    break;
                case BackendMessageCode.DataRow when rowSets == 2:
                    _tablespaces.Add(ParseTablespace());
                    break;
                case BackendMessageCode.CommandComplete:
                    break;
                case BackendMessageCode.CopyOutResponse when rowSets == 2 && StartLsn.IsValid:
                    CopyResponse.Parse(Connection.Messages.Payload, "CopyOutResponse");
                    _inCopy = true;
                    return;
                default:
                    throw Connection.UnexpectedMessage(code, $"in BASE_BACKUP's header (after {rowSets} result sets)");
            }
        }
    }

    /// <summary>Reads the next event of the backup; see <see cref="BaseBackupMessageKind"/>.</summary>
    public async ValueTask<BaseBackupMessageKind> ReadAsync(CancellationToken cancellationToken = default)
    {
        Data = default;
        if (_ended)
            return BaseBackupMessageKind.End;
        if (_pendingData)
        {
            // Legacy dialect: the CopyData that announced the archive also carries its first bytes.
            TryLegacyCopyData(out BaseBackupMessageKind pending);
            return pending;
        }
        while (true)
        {
            byte code = await NextMessageAsync(cancellationToken).ConfigureAwait(false);
            if (_inCopy)
            {
                if (code == BackendMessageCode.CopyData)
                {
                    if (_modern ? TryModernCopyData(out BaseBackupMessageKind kind) : TryLegacyCopyData(out kind))
                        return kind;
                    continue;
                }
                if (code != BackendMessageCode.CopyDone)
                    throw Connection.UnexpectedMessage(code, "inside BASE_BACKUP's COPY OUT");
                _inCopy = false;
                continue;
            }
            if (AfterCopy(code) is { } next)
                return next;
        }
    }

    /// <summary>Messages between COPY OUTs: the next legacy COPY, the end result set, CommandComplete, ReadyForQuery.</summary>
    private BaseBackupMessageKind? AfterCopy(byte code)
    {
        switch (code)
        {
            case BackendMessageCode.CopyOutResponse when !_modern:
                CopyResponse.Parse(Connection.Messages.Payload, "CopyOutResponse");
                _inCopy = true;
                _legacyCopyIndex++;
                return null;
            case BackendMessageCode.RowDescription:
            case BackendMessageCode.CommandComplete:
                return null;
            case BackendMessageCode.DataRow:
                (EndLsn, EndTimeline) = ParsePosition("end");
                return null;
            case BackendMessageCode.ReadyForQuery:
                _reader.Finish();
                _ended = true;
                if (!EndLsn.IsValid)
                    throw new PgProtocolException("BASE_BACKUP ended without its end position result set");
                return BaseBackupMessageKind.End;
            default:
                throw Connection.UnexpectedMessage(code, "after BASE_BACKUP's COPY OUT");
        }
    }

    /// <summary>Next backend message; ErrorResponse becomes the server's exception once ReadyForQuery is read.</summary>
    private async ValueTask<byte> NextMessageAsync(CancellationToken cancellationToken)
    {
        byte code = await Connection.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        if (code == BackendMessageCode.ErrorResponse)
        {
            _ended = true;
            throw await _reader.FailAsync().ConfigureAwait(false);
        }
        return code;
    }

    public async ValueTask DisposeAsync()
    {
        // A backup abandoned mid-stream cannot be resumed on this connection: the server keeps sending.
        if (!_ended && !Connection.IsBroken)
            await Connection.DisposeAsync().ConfigureAwait(false);
    }

    private (Lsn, TimelineId) ParsePosition(string which)
    {
        int count = DataRow.Parse(Connection.Messages.Payload, ref _fields);
        if (count != 2)
            throw Connection.Fail(new PgProtocolException($"BASE_BACKUP's {which} position row has {count} fields, expected 2"));
        string lsn = Field(0) ?? throw Connection.Fail(new PgProtocolException($"BASE_BACKUP's {which} position is NULL"));
        string tli = Field(1) ?? throw Connection.Fail(new PgProtocolException($"BASE_BACKUP's {which} timeline is NULL"));
        return (Lsn.Parse(lsn), TimelineId.Parse(tli));
    }

    private BaseBackupTablespace ParseTablespace()
    {
        int count = DataRow.Parse(Connection.Messages.Payload, ref _fields);
        if (count != 3)
            throw Connection.Fail(new PgProtocolException($"BASE_BACKUP's tablespace row has {count} fields, expected 3"));
        string? oid = Field(0);
        string? size = Field(2);
        return new BaseBackupTablespace(oid is null ? null : uint.Parse(oid, CultureInfo.InvariantCulture), Field(1),
            size is null ? null : long.Parse(size, CultureInfo.InvariantCulture));
    }

    private string? Field(int index)
    {
        (long offset, int length) = _fields[index];
        return length < 0 ? null : Encoding.UTF8.GetString(Connection.Messages.Payload.Slice(offset, length));
    }
}
