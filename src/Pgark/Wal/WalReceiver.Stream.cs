using System.Diagnostics;
using System.Net.Sockets;
using Pgark.Wire;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

public sealed partial class WalReceiver
{
    private enum SessionEnd { Stopped, ServerEnded }

    private async Task StreamWithReconnectAsync(PgConnection first, CancellationToken cancellationToken)
    {
        PgConnection? connection = first;
        TimeSpan backoff = _options.InitialBackoff;
        try
        {
            while (true)
            {
                Lsn before = DurableLsn;
                try
                {
                    connection ??= await ReconnectAsync(cancellationToken).ConfigureAwait(false);
                    if (await StreamSessionAsync(connection, cancellationToken).ConfigureAwait(false) == SessionEnd.Stopped)
                        return;
                    Log($"the server ended streaming at {ReceivedLsn}; reconnecting");
                }
                catch (Exception e) when (_options.Reconnect && !cancellationToken.IsCancellationRequested && IsTransient(e))
                {
                    Log($"connection lost at {ReceivedLsn} ({e.Message}); reconnecting in {backoff.TotalMilliseconds:0} ms");
                }
                if (DurableLsn > before)
                    backoff = _options.InitialBackoff;
                // Bytes not yet stored are asked for again: the archive gets no gap and no duplicate.
                _segment!.DiscardUnstored();
                Volatile.Write(ref _receivedLsn, (long)_segment.ReceivedEnd.Value);
                if (connection is not null)
                    await connection.DisposeAsync().ConfigureAwait(false);
                connection = null;
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                Counters.Reconnected();
            }
        }
        finally
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<PgConnection> ReconnectAsync(CancellationToken cancellationToken)
    {
        PgConnection connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await IdentifyAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Lost connections and restarting servers are retried; refusals with a cause the user must fix are not.</summary>
    /// <remarks>A protocol desync (PgProtocolException) is not retried: the next session would most likely repeat it.</remarks>
    private static bool IsTransient(Exception e) => e switch
    {
        PgConnectionException { Failure: PgConnectionFailure.Unreachable or PgConnectionFailure.Lost or PgConnectionFailure.Timeout } => true,
        PgConnectionException { Failure: PgConnectionFailure.Rejected, InnerException: PgServerException s } => IsTransientState(s.SqlState),
        PgServerException s => IsTransientState(s.SqlState),
        IOException or SocketException => true,
        _ => false,
    };

    // 57P01-57P03: shutdown, crash, starting up; 08xxx: connection exceptions; 53300: out of connection/walsender slots
    // (the old walsender may not have exited yet); 55006: the slot is still held by the old session's walsender.
    private static bool IsTransientState(string sqlState)
        => sqlState.StartsWith("57P", StringComparison.Ordinal) || sqlState.StartsWith("08", StringComparison.Ordinal)
            || sqlState is "53300" or "55006";

    /// <summary>One connection: streams timeline after timeline until stopped or the server ends the session.</summary>
    private async Task<SessionEnd> StreamSessionAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReplicationStream stream = await StartStreamAsync(connection, cancellationToken).ConfigureAwait(false);
            Log($"streaming from {_segment!.ReceivedEnd} on timeline {_segment.Timeline}");
            bool endOfTimeline;
            try
            {
                endOfTimeline = await PumpAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await StopCleanlyAsync(stream).ConfigureAwait(false);
                throw;
            }
            if (!endOfTimeline)
            {
                await stream.EndAsync(cancellationToken).ConfigureAwait(false);
                return SessionEnd.Stopped;
            }

            // The server finished the timeline (or is shutting down): store everything up to its end first.
            await StorePartialAsync(cancellationToken).ConfigureAwait(false);
            TimelineSwitch? next = await stream.EndAsync(cancellationToken).ConfigureAwait(false);
            if (next is null)
                return SessionEnd.ServerEnded;
            await SwitchTimelineAsync(connection, next, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fetches and stores the new timeline's history file, then continues at the segment holding its switch point.</summary>
    private async Task SwitchTimelineAsync(PgConnection connection, TimelineSwitch next, CancellationToken cancellationToken)
    {
        TimelineHistoryFile history = await connection.TimelineHistoryAsync(next.NextTimeline, cancellationToken).ConfigureAwait(false);
        await _store.PutHistoryAsync(next.NextTimeline, history.Content, cancellationToken).ConfigureAwait(false);
        Log($"timeline {_segment!.Timeline} ended at {next.NextTimelineStart}; continuing on timeline {next.NextTimeline}");
        // The new timeline's segment holds the old timeline's bytes before the switch point, so it is received whole.
        Begin(next.NextTimeline, next.NextTimelineStart.SegmentNumber(SegmentSize));
    }

    /// <summary>SIGINT/SIGTERM: store what arrived, tell the server, leave streaming; never throws over the cancellation.</summary>
    private async Task StopCleanlyAsync(ReplicationStream stream)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await StorePartialAsync(grace.Token).ConfigureAwait(false);
        try
        {
            await SendStatusAsync(stream, grace.Token).ConfigureAwait(false);
            await stream.EndAsync(grace.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PgWireException or IOException or OperationCanceledException)
        {
            // Stored is stored; the server learns the position on the next connection.
        }
    }

    /// <summary>Reads messages until the end of the timeline (true) or until <see cref="WalReceiverOptions.StopLsn"/> is durable (false).</summary>
    private async Task<bool> PumpAsync(ReplicationStream stream, CancellationToken cancellationToken)
    {
        long statusInterval = (long)(_options.StatusInterval.TotalSeconds * Stopwatch.Frequency);
        long flushInterval = Math.Min(statusInterval, (long)(_options.FlushInterval.TotalSeconds * Stopwatch.Frequency));
        long nextStatus = Stopwatch.GetTimestamp() + statusInterval;
        long nextFlush = Stopwatch.GetTimestamp() + flushInterval;
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                long now = Stopwatch.GetTimestamp();
                if (now >= nextFlush && _segment!.HasUnstoredBytes || now >= nextStatus)
                {
                    // Periodic: store what arrived, then report; the report doubles as the keepalive wal_sender_timeout needs.
                    await StoreAndReportAsync(stream, cancellationToken).ConfigureAwait(false);
                    nextStatus = Stopwatch.GetTimestamp() + statusInterval;
                    nextFlush = Stopwatch.GetTimestamp() + flushInterval;
                    continue;
                }
                if (now >= nextFlush)
                    nextFlush = now + flushInterval;
                long wait = Math.Min(nextFlush, nextStatus) - now;
                if (!timeout.TryReset())
                {
                    timeout.Dispose();
                    timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                }
                timeout.CancelAfter(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                ReplicationMessageKind kind;
                try
                {
                    kind = await ReadOrStoreWhileWaitingAsync(stream, timeout, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    continue;
                }
                switch (kind)
                {
                    case ReplicationMessageKind.XLogData:
                        await OnXLogDataAsync(stream, cancellationToken).ConfigureAwait(false);
                        if (StopReached)
                        {
                            await SendStatusAsync(stream, cancellationToken).ConfigureAwait(false);
                            return false;
                        }
                        break;
                    case ReplicationMessageKind.Keepalive:
                        if (stream.Keepalive.ReplyRequested)
                        {
                            await StoreAndReportAsync(stream, cancellationToken).ConfigureAwait(false);
                            nextStatus = Stopwatch.GetTimestamp() + statusInterval;
                        }
                        break;
                    case ReplicationMessageKind.EndOfStream:
                        return true;
                }
            }
        }
        finally
        {
            timeout.Dispose();
        }
    }

    /// <summary>Appends WAL to the segment buffer, storing each segment the moment it completes.</summary>
    private async Task OnXLogDataAsync(ReplicationStream stream, CancellationToken cancellationToken)
    {
        XLogData message = stream.XLogData;
        WalSegmentBuffer segment = _segment!;
        if (message.WalStart != segment.ReceivedEnd)
        {
            throw new WalStreamException(
                $"the server sent WAL from {message.WalStart}, but pgark expected {segment.ReceivedEnd}: storing it would leave a gap or a duplicate",
                "this is a server or pgark bug; nothing past the last durable position was stored; report it with --verbose output");
        }
        // The payload is valid until the next read; storing a frame or a full segment in between does not read.
        var data = message.Data;
        while (!data.IsEmpty)
        {
            if (segment.IsComplete)
            {
                // Only after resuming a segment whose stored parts hold all of it: the Full object was never stored.
                await StoreFullSegmentAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            int taken = segment.Append(data);
            data = data.Slice(taken);
            Counters.AddReceived(taken);
            Volatile.Write(ref _receivedLsn, (long)segment.ReceivedEnd.Value);
            if (segment.HasFullFrame)
            {
                bool segmentEnds = segment.FrameStart + WalSegmentBuffer.FrameSize == SegmentSize;
                await CompleteFrameAsync(cancellationToken).ConfigureAwait(false);
                if (segmentEnds && _options.Synchronous)
                    await SendStatusAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }
        if (_options.StopLsn is { } stop && ReceivedLsn >= stop)
        {
            await StoreAndReportAsync(stream, cancellationToken).ConfigureAwait(false);
            return;
        }
        // Synchronous standby: a commit waits for the reply, so store and acknowledge as soon as the server has nothing newer
        // (its WAL end in this message) and nothing more has arrived (checked by the next read, ReadOrStoreWhileWaitingAsync).
        if (_options.Synchronous && ReceivedLsn >= message.WalEnd)
            _storeWhenIdle = true;
    }

    /// <summary>Set when the received end caught up with the server's WAL end: store once no further message is already buffered.</summary>
    private bool _storeWhenIdle;

    /// <summary>
    /// Group commit for <see cref="WalReceiverOptions.Synchronous"/>: each XLogData carries the server's WAL end at the time it
    /// was sent, so when pgark is behind, every message in the socket looks "caught up". Storing after each would write one
    /// tiny piece per message and fall further behind. Instead the next read starts first: when it completes at once, more
    /// WAL is buffered and joins the same store; only when it has to wait (nothing more in flight) is the store done, while
    /// the read waits. Everything received by then goes into one piece, and the reply follows it.
    /// </summary>
    private async ValueTask<ReplicationMessageKind> ReadOrStoreWhileWaitingAsync(ReplicationStream stream, CancellationTokenSource timeout,
        CancellationToken cancellationToken)
    {
        ValueTask<ReplicationMessageKind> read = stream.ReadAsync(timeout.Token);
        if (read.IsCompleted || !_storeWhenIdle)
            return await read.ConfigureAwait(false);
        _storeWhenIdle = false;
        try
        {
            await StoreAndReportAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Never leave a read in flight behind: stopping or reconnecting reads the connection next.
            await timeout.CancelAsync().ConfigureAwait(false);
            try
            {
                await read.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or PgWireException or IOException)
            {
            }
            throw;
        }
        return await read.ConfigureAwait(false);
    }
}
