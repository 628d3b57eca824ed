using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pgark.Benchmarks.Wal;

/// <summary>
/// A loopback walsender that serves real WAL segment files, for measuring the streamer alone: it speaks just enough of the
/// replication protocol for <c>WalReceiver</c> (trust startup, IDENTIFY_SYSTEM, SHOW wal_level / wal_segment_size,
/// READ_REPLICATION_SLOT, START_REPLICATION), then sends the files' bytes in order as XLogData of 128 KiB (the payload
/// a PostgreSQL walsender sends at most: MAX_SEND_SIZE = XLOG_BLCKSZ * 16), reading them from disk through one buffer so
/// its memory stays small. Every XLogData reports its own end as the server's WAL end, as a server that produces WAL exactly
/// as fast as it sends would, which is the hardest case for a synchronous receiver (it is always "caught up").
/// <para>
/// Standby status updates are read as they come; once the last byte is sent, a keepalive asks for a reply until the
/// reported flush position reaches the end. <see cref="FinalAck"/> then completes with the time since START_REPLICATION.
/// A second connection (the receiver reconnecting) fails the run: a measurement across a reconnect is not one.
/// </para>
/// </summary>
internal sealed class WalSenderEmulator : IAsyncDisposable
{
    private const int MaxSendSize = 128 * 1024;
    // 'd' + length, then 'w' + dataStart + walEnd + sendTime.
    private const int XLogHeaderSize = 1 + 4 + 1 + 8 + 8 + 8;
    // PostgreSQL's epoch (2000-01-01) in Unix microseconds, for send times.
    private const long PostgresEpochUnixMicros = 946_684_800_000_000;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IReadOnlyList<string> _segments;
    private readonly int _segmentSize;
    private readonly uint _timeline;
    private readonly ulong _startLsn;
    private readonly ulong _systemIdentifier;
    private readonly TaskCompletionSource<TimeSpan> _finalAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _acked = new(0);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _run;
    private long _flushed;

    /// <param name="segments">Consecutive WAL segment files of one timeline, in order.</param>
    public WalSenderEmulator(IReadOnlyList<string> segments)
    {
        _segments = segments;
        string first = Path.GetFileName(segments[0]);
        _segmentSize = checked((int)new FileInfo(segments[0]).Length);
        _timeline = uint.Parse(first.AsSpan(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        ulong segmentsPerId = 0x1_0000_0000UL / (ulong)_segmentSize;
        ulong segmentNumber = ulong.Parse(first.AsSpan(8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture) * segmentsPerId
            + ulong.Parse(first.AsSpan(16, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        _startLsn = segmentNumber * (ulong)_segmentSize;
        EndLsn = _startLsn + (ulong)segments.Count * (ulong)_segmentSize;
        // The long page header at the start of every segment: xlp_sysid at offset 8 (little-endian, as PostgreSQL wrote it).
        Span<byte> header = stackalloc byte[16];
        using (FileStream file = File.OpenRead(segments[0]))
            file.ReadExactly(header);
        _systemIdentifier = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        _listener.Start();
        _run = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ulong StartLsn => _startLsn;

    /// <summary>The position right after the last byte of the last segment.</summary>
    public ulong EndLsn { get; }

    public int SegmentSize => _segmentSize;

    /// <summary>Completes with the time from START_REPLICATION to the first status update whose flush position is <see cref="EndLsn"/>.</summary>
    public Task<TimeSpan> FinalAck => _finalAck.Task;

    /// <summary>Completes when the session ended (the receiver left streaming and closed); faults when the emulator failed.</summary>
    public Task Completion => _run;

    private async Task ServeAsync()
    {
        try
        {
            using Socket socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            socket.NoDelay = true;
            Task second = RefuseReconnectAsync();
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await SessionAsync(stream).ConfigureAwait(false);
            _stop.Cancel();
            await second.ConfigureAwait(false);
        }
        catch (Exception e) when (!_finalAck.Task.IsCompleted)
        {
            _finalAck.TrySetException(e);
            throw;
        }
    }

    private async Task RefuseReconnectAsync()
    {
        try
        {
            using Socket again = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            _finalAck.TrySetException(new InvalidOperationException("the receiver reconnected during the run; the measurement is void"));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SessionAsync(NetworkStream stream)
    {
        await StartupAsync(stream).ConfigureAwait(false);
        while (true)
        {
            (byte code, byte[] body) = await ReadMessageAsync(stream).ConfigureAwait(false);
            if (code == (byte)'X')
                return;
            if (code != (byte)'Q')
                throw new InvalidDataException($"the emulator handles simple queries only, got message '{(char)code}'");
            string sql = Encoding.UTF8.GetString(body, 0, body.Length - 1);
            if (sql.StartsWith("START_REPLICATION", StringComparison.Ordinal))
            {
                await StreamAsync(stream, sql).ConfigureAwait(false);
                continue;
            }
            byte[] answer = sql switch
            {
                "IDENTIFY_SYSTEM" => Result(["systemid", "timeline", "xlogpos", "dbname"],
                    [_systemIdentifier.ToString(CultureInfo.InvariantCulture), _timeline.ToString(CultureInfo.InvariantCulture), Lsn(_startLsn), null], "IDENTIFY_SYSTEM"),
                "SHOW wal_level" => Result(["wal_level"], ["replica"], "SHOW"),
                "SHOW wal_segment_size" => Result(["wal_segment_size"], [$"{_segmentSize >> 20}MB"], "SHOW"),
                _ when sql.StartsWith("READ_REPLICATION_SLOT ", StringComparison.Ordinal) =>
                    Result(["slot_type", "restart_lsn", "restart_tli"], ["physical", Lsn(_startLsn), _timeline.ToString(CultureInfo.InvariantCulture)],
                        "READ_REPLICATION_SLOT"),
                _ => throw new InvalidDataException($"the emulator does not answer \"{sql}\""),
            };
            await stream.WriteAsync(answer).ConfigureAwait(false);
        }
    }

    private static async Task StartupAsync(NetworkStream stream)
    {
        byte[] length = new byte[4];
        await stream.ReadExactlyAsync(length).ConfigureAwait(false);
        byte[] body = new byte[BinaryPrimitives.ReadInt32BigEndian(length) - 4];
        await stream.ReadExactlyAsync(body).ConfigureAwait(false);
        if (BinaryPrimitives.ReadInt32BigEndian(body) != 196608)
            throw new InvalidDataException("expected a protocol 3.0 startup packet (connect with sslmode=disable)");
        string parameters = Encoding.UTF8.GetString(body, 4, body.Length - 4);
        if (!parameters.Contains("replication\0true\0", StringComparison.Ordinal))
            throw new InvalidDataException("expected a physical replication connection (replication=true)");
        await stream.WriteAsync(Concat(
            Message('R', I32(0)),
            Message('S', Str("server_version"), Str("15.0 (pgark WalSenderEmulator)")),
            Message('S', Str("integer_datetimes"), Str("on")),
            Message('K', I32(Environment.ProcessId), I32(1)),
            Ready())).ConfigureAwait(false);
    }

    private async Task StreamAsync(NetworkStream stream, string sql)
    {
        string expected = $"START_REPLICATION SLOT pgark PHYSICAL {Lsn(_startLsn)} TIMELINE {_timeline}";
        if (sql != expected)
            throw new InvalidDataException($"expected \"{expected}\", got \"{sql}\"");
        long started = Stopwatch.GetTimestamp();
        await stream.WriteAsync(Message('W', [0], I16(0))).ConfigureAwait(false);
        Task<bool> replies = ReadRepliesAsync(stream, started);
        await SendWalAsync(stream).ConfigureAwait(false);
        while (_acked.Wait(0))
        {
            // Acks that came during sending ask for nothing more.
        }

        // Everything is sent: ask for a reply until the flush position reaches the end (or the client leaves streaming).
        while (Volatile.Read(ref _flushed) < (long)EndLsn && !replies.IsCompleted)
        {
            await WriteLockedAsync(stream, Keepalive(EndLsn, replyRequested: true)).ConfigureAwait(false);
            await Task.WhenAny(_acked.WaitAsync(), replies).ConfigureAwait(false);
        }
        if (!await replies.ConfigureAwait(false))
            throw new InvalidDataException("the receiver left streaming before it acknowledged the last byte");
    }

    /// <summary>The files in order, 128 KiB per XLogData, with a keepalive (no reply asked) every second as a walsender sends.</summary>
    private async Task SendWalAsync(NetworkStream stream)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(XLogHeaderSize + MaxSendSize, pinned: true);
        ulong position = _startLsn;
        long nextKeepalive = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        foreach (string path in _segments)
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
            if (file.Length != _segmentSize)
                throw new InvalidDataException($"{path} is {file.Length} bytes, not {_segmentSize}: every segment must be complete");
            for (int offset = 0; offset < _segmentSize; offset += MaxSendSize)
            {
                int count = Math.Min(MaxSendSize, _segmentSize - offset);
                await file.ReadExactlyAsync(buffer.AsMemory(XLogHeaderSize, count)).ConfigureAwait(false);
                buffer[0] = (byte)'d';
                BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(1), 4 + 1 + 24 + count);
                buffer[5] = (byte)'w';
                BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(6), position);
                BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(14), position + (ulong)count);
                BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(22), Now());
                await WriteLockedAsync(stream, buffer.AsMemory(0, XLogHeaderSize + count)).ConfigureAwait(false);
                position += (ulong)count;
                if (Stopwatch.GetTimestamp() >= nextKeepalive)
                {
                    await WriteLockedAsync(stream, Keepalive(position, replyRequested: false)).ConfigureAwait(false);
                    nextKeepalive = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
                }
            }
        }
    }

    /// <summary>
    /// Reads the client's standby status updates until it ends streaming (CopyDone), then ends the command as a walsender does.
    /// Returns whether the last byte was acknowledged first.
    /// </summary>
    private async Task<bool> ReadRepliesAsync(NetworkStream stream, long started)
    {
        while (true)
        {
            (byte code, byte[] body) = await ReadMessageAsync(stream).ConfigureAwait(false);
            if (code == (byte)'c')
            {
                await WriteLockedAsync(stream, Concat(Message('c'), Message('C', Str("START_STREAMING")), Ready())).ConfigureAwait(false);
                return Volatile.Read(ref _flushed) == (long)EndLsn;
            }
            if (code != (byte)'d' || body.Length < 17 || body[0] != (byte)'r')
                throw new InvalidDataException($"expected a standby status update, got message '{(char)code}'");
            long flushed = BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(9));
            if (flushed > (long)EndLsn)
                throw new InvalidDataException($"the receiver acknowledged {Lsn((ulong)flushed)}, past the last byte sent {Lsn(EndLsn)}");
            Volatile.Write(ref _flushed, flushed);
            if (flushed == (long)EndLsn)
                _finalAck.TrySetResult(Stopwatch.GetElapsedTime(started));
            _acked.Release();
        }
    }

    private async Task WriteLockedAsync(NetworkStream stream, ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(bytes).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static async Task<(byte Code, byte[] Body)> ReadMessageAsync(NetworkStream stream)
    {
        byte[] header = new byte[5];
        int read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false).ConfigureAwait(false);
        if (read == 0)
            return ((byte)'X', []);
        if (read < header.Length)
            throw new EndOfStreamException("the receiver closed the connection inside a message");
        byte[] body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
        await stream.ReadExactlyAsync(body).ConfigureAwait(false);
        return (header[0], body);
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 - PostgresEpochUnixMicros;

    private static string Lsn(ulong lsn) => $"{lsn >> 32:X}/{(uint)lsn:X}";

    private static byte[] Keepalive(ulong walEnd, bool replyRequested)
        => Message('d', [(byte)'k'], U64(walEnd), U64((ulong)Now()), [replyRequested ? (byte)1 : (byte)0]);

    private static byte[] Result(string[] columns, string?[] values, string tag)
    {
        byte[] description = Message('T', [.. I16((short)columns.Length), .. columns.SelectMany(c =>
            Concat(Str(c), I32(0), I16(0), I32(25), I16(-1), I32(-1), I16(0)))]);
        byte[] row = Message('D', [.. I16((short)values.Length), .. values.SelectMany(v =>
            v is null ? I32(-1) : Concat(I32(Encoding.UTF8.GetByteCount(v)), Encoding.UTF8.GetBytes(v)))]);
        return Concat(description, row, Message('C', Str(tag)), Ready());
    }

    private static byte[] Ready() => Message('Z', [(byte)'I']);

    private static byte[] Message(char code, params byte[][] parts)
    {
        byte[] body = Concat(parts);
        byte[] message = new byte[5 + body.Length];
        message[0] = (byte)code;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + body.Length);
        body.CopyTo(message, 5);
        return message;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Str(string value) => [.. Encoding.UTF8.GetBytes(value), 0];

    private static byte[] I16(short value)
    {
        byte[] b = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(b, value);
        return b;
    }

    private static byte[] I32(int value)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        return b;
    }

    private static byte[] U64(ulong value)
    {
        byte[] b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        return b;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (Exception) when (_finalAck.Task.IsFaulted)
        {
            // Already reported through FinalAck.
        }
        _stop.Dispose();
        _acked.Dispose();
        _writeLock.Dispose();
    }
}
