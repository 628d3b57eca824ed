using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Physical;

/// <summary>
/// Receives the WAL a base backup needs on its own replication connection while the archives stream on the other
/// (what <c>pg_basebackup -X stream</c> does), and spools it into whole segment files in a local directory. A temporary
/// physical slot created before BASE_BACKUP holds the server's WAL from the last checkpoint's redo on, so nothing the
/// backup needs is recycled before it is received; the slot disappears with the connection.
/// </summary>
internal sealed class WalReceiver : IAsyncDisposable
{
    private readonly PgConnection _connection;
    private readonly string _slot;
    private readonly string _spool;
    private readonly int _segmentSize;
    private readonly List<string> _segments = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private ReplicationStream? _stream;
    private Task? _loop;
    private TimelineId _timeline;
    private Lsn _received;
    private Lsn? _target;
    private SafeFileHandle? _segmentFile;
    private ulong _segmentNumber = ulong.MaxValue;

    private WalReceiver(PgConnection connection, string slot, string spool, int segmentSize)
    {
        _connection = connection;
        _slot = slot;
        _spool = spool;
        _segmentSize = segmentSize;
    }

    /// <summary>Spooled segment files (full names), in WAL order; complete once <see cref="StopAtAsync"/> returned.</summary>
    public IReadOnlyList<string> Segments => _segments;

    public Lsn Received { get { lock (_gate) return _received; } }

    /// <summary>Opens the second connection and creates the temporary slot that reserves WAL.</summary>
    public static async Task<WalReceiver> ReserveAsync(ConnectionSettings settings, string spoolDirectory, int segmentSize,
        CancellationToken cancellationToken)
    {
        PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        try
        {
            string slot = "pgark_" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "_" +
                Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            await connection.CreateReplicationSlotAsync(slot, new CreateReplicationSlotOptions { Temporary = true, ReserveWal = true },
                cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(spoolDirectory);
            return new WalReceiver(connection, slot, spoolDirectory, segmentSize);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts streaming from the start of the segment holding <paramref name="start"/>.</summary>
    public async Task StartAsync(Lsn start, TimelineId timeline, CancellationToken cancellationToken)
    {
        _timeline = timeline;
        Lsn from = start.SegmentStart(_segmentSize);
        _received = from;
        _stream = await _connection.StartReplicationAsync(from, timeline, _slot, cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => ReceiveLoopAsync(_stream, _stop.Token), CancellationToken.None);
    }

    /// <summary>Waits until WAL up to <paramref name="end"/> is spooled and fsynced, then leaves streaming.</summary>
    public async Task StopAtAsync(Lsn end, CancellationToken cancellationToken)
    {
        bool reached;
        lock (_gate)
        {
            _target = end;
            reached = _received >= end;
        }
        // The loop only looks at the target when a message arrives. If everything is already here, ask the server for
        // a keepalive (reply requested) instead of cancelling the read: a cancelled read would leave the connection
        // unable to leave streaming cleanly.
        if (reached)
            await SendStatusAsync(replyRequested: true, cancellationToken).ConfigureAwait(false);
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stop))
            await _loop!.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (Received < end)
            throw new InvalidOperationException($"WAL streaming ended at {Received} before the backup's end {end}");
        CloseSegment();
        await _stream!.EndAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync(ReplicationStream stream, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                ReplicationMessageKind kind = await stream.ReadAsync(stop).ConfigureAwait(false);
                if (kind == ReplicationMessageKind.EndOfStream)
                    return;
                if (kind == ReplicationMessageKind.XLogData)
                    Write(stream.XLogData.WalStart, stream.XLogData.Data);
                else if (stream.Keepalive.ReplyRequested)
                    await SendStatusAsync(replyRequested: false, stop).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_target is { } target && _received >= target)
                        return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // StopAtAsync found the target already reached, or the caller gave up.
        }
    }

    /// <summary>Standby status update; the loop and <see cref="StopAtAsync"/> may both send, so writes take turns.</summary>
    private async Task SendStatusAsync(bool replyRequested, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Lsn received = Received;
            await _stream!.SendStatusUpdateAsync(received, received, Lsn.Invalid, replyRequested, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Writes WAL bytes at their place in the segment files, splitting at segment boundaries.</summary>
    private void Write(Lsn walStart, ReadOnlySequence<byte> data)
    {
        Lsn at = walStart;
        foreach (ReadOnlyMemory<byte> piece in data)
        {
            ReadOnlySpan<byte> bytes = piece.Span;
            while (!bytes.IsEmpty)
            {
                OpenSegment(at);
                int offset = at.SegmentOffset(_segmentSize);
                int take = Math.Min(bytes.Length, _segmentSize - offset);
                RandomAccess.Write(_segmentFile!, bytes[..take], offset);
                bytes = bytes[take..];
                at += (ulong)take;
            }
        }
        lock (_gate)
            _received = Lsn.Max(_received, at);
    }

    private void OpenSegment(Lsn at)
    {
        ulong segment = at.SegmentNumber(_segmentSize);
        if (segment == _segmentNumber)
            return;
        CloseSegment();
        string path = Path.Combine(_spool, at.WalFileName(_timeline, _segmentSize));
        _segmentFile = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        _segmentNumber = segment;
        _segments.Add(path);
    }

    /// <summary>Pads the segment to its full size (as PostgreSQL expects in pg_wal) and fsyncs it.</summary>
    private void CloseSegment()
    {
        if (_segmentFile is null)
            return;
        RandomAccess.SetLength(_segmentFile, _segmentSize);
        RandomAccess.FlushToDisk(_segmentFile);
        _segmentFile.Dispose();
        _segmentFile = null;
        _segmentNumber = ulong.MaxValue;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_loop is not null)
            await _loop.ConfigureAwait(false);
        _segmentFile?.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        try
        {
            Directory.Delete(_spool, recursive: true);
        }
        catch (IOException)
        {
            // The spool is scratch space; a leftover is harmless.
        }
    }
}
