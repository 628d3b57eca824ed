using System.Globalization;
using Pgark.Wire;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

public sealed partial class WalReceiver
{
    private async Task<PgConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await PgConnection.OpenAsync(_options.Connection, cancellationToken).ConfigureAwait(false);
        }
        catch (PgConnectionException e) when (ServerError(e) is { SqlState: "53300" } server && server.MessageText.Contains("max_wal_senders", StringComparison.Ordinal))
        {
            // With wal_level=minimal the server must run with max_wal_senders = 0, so this is how it refuses.
            throw new WalStreamException($"the server accepts no WAL streaming connection: {server.MessageText}",
                "set wal_level = replica (or logical) and max_wal_senders > 0, then restart the server", e);
        }
    }

    private static PgServerException? ServerError(Exception e) => e as PgServerException ?? e.InnerException as PgServerException;

    private async Task<IdentifySystemResult> IdentifyAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        IdentifySystemResult identity = await connection.IdentifySystemAsync(cancellationToken).ConfigureAwait(false);
        if (SystemIdentifier != 0 && identity.SystemId != SystemIdentifier)
        {
            throw new WalStreamException(
                $"the server at {_options.Connection.ToDisplayString()} is now system {identity.SystemId}, not {SystemIdentifier} as when streaming began",
                "a different cluster answers at this address (restored or re-initialized?); start a new stream for that cluster (its WAL may share the repository)");
        }
        string walLevel = await connection.ShowAsync("wal_level", cancellationToken).ConfigureAwait(false);
        if (walLevel == "minimal")
            throw new WalStreamException("the server runs with wal_level = minimal, whose WAL cannot restore a backup", "set wal_level = replica and restart the server");
        SystemIdentifier = identity.SystemId;
        // The cluster decides where its WAL goes (repository-format.md §8.2); a reconnect to the same cluster keeps the store.
        _store ??= new WalStore(_repository, identity.SystemId);
        SegmentSize = ParseSegmentSize(await connection.ShowAsync("wal_segment_size", cancellationToken).ConfigureAwait(false));
        return identity;
    }

    /// <summary>SHOW wal_segment_size prints a size with a unit ("16MB", "1GB"); returns bytes.</summary>
    internal static int ParseSegmentSize(string text)
    {
        int unitAt = text.AsSpan().IndexOfAnyExceptInRange('0', '9');
        if (unitAt <= 0 || !long.TryParse(text.AsSpan(0, unitAt), NumberStyles.None, CultureInfo.InvariantCulture, out long number))
            throw new PgProtocolException($"cannot read wal_segment_size \"{text}\"");
        long bytes = text[unitAt..] switch
        {
            "B" => number,
            "kB" => number << 10,
            "MB" => number << 20,
            "GB" => number << 30,
            _ => throw new PgProtocolException($"cannot read wal_segment_size \"{text}\": unknown unit"),
        };
        if (bytes < 1 << 20 || bytes > 1 << 30 || !long.IsPow2(bytes))
            throw new PgProtocolException($"wal_segment_size \"{text}\" is not a power of two from 1 MiB to 1 GiB");
        return (int)bytes;
    }

    private async Task EnsureSlotAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        string slot = _options.SlotName;
        if (connection.ServerVersionNumber < 150000)
        {
            // No READ_REPLICATION_SLOT before 15: create when asked (an existing slot is fine); START_REPLICATION
            // reports a missing one, translated in StartAsync.
            if (_options.CreateSlot)
                await CreateSlotAsync(connection, tolerateExisting: true, cancellationToken).ConfigureAwait(false);
            return;
        }
        ReplicationSlotInfo? info = await connection.ReadReplicationSlotAsync(slot, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            if (!_options.CreateSlot)
                throw MissingSlot(null);
            await CreateSlotAsync(connection, tolerateExisting: false, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (info.SlotType != "physical")
        {
            throw new WalStreamException($"replication slot \"{slot}\" is a {info.SlotType} slot; WAL archiving needs a physical one",
                "name another slot with --slot, or drop this one if nothing uses it");
        }
        _slotRestart = info.RestartLsn is { } lsn && info.RestartTimeline is { } tli ? (lsn, tli) : null;
    }

    private (Lsn Lsn, TimelineId Timeline)? _slotRestart;
    private bool _streamedOnce;

    private async Task CreateSlotAsync(PgConnection connection, bool tolerateExisting, CancellationToken cancellationToken)
    {
        try
        {
            await connection.CreateReplicationSlotAsync(_options.SlotName, new CreateReplicationSlotOptions { ReserveWal = true }, cancellationToken)
                .ConfigureAwait(false);
            Log($"created physical replication slot \"{_options.SlotName}\"");
        }
        catch (PgServerException e) when (tolerateExisting && e.SqlState == "42710")
        {
        }
    }

    private WalStreamException MissingSlot(Exception? inner) => new(
        $"replication slot \"{_options.SlotName}\" does not exist on the server",
        $"create it with 'pgark wal stream --create-slot', or as a superuser: SELECT pg_create_physical_replication_slot('{_options.SlotName}', true); "
        + "pgark never streams without a slot, because the server could remove WAL before it is archived",
        inner);

    /// <summary>START_REPLICATION, with the server's refusals that have a known cause turned into clear errors.</summary>
    private async Task<ReplicationStream> StartStreamAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        WalSegmentBuffer segment = _segment!;
        try
        {
            ReplicationStream stream = await connection.StartReplicationAsync(segment.ReceivedEnd, segment.Timeline, _options.SlotName, cancellationToken)
                .ConfigureAwait(false);
            _streamedOnce = true;
            return stream;
        }
        catch (PgServerException e) when (e.SqlState == "42704")
        {
            throw MissingSlot(e);
        }
        // After a network failure the server may not yet have noticed that the old session is gone, so its walsender
        // still holds the slot: that is retried (IsTransient). Before pgark ever streamed, another process holds it.
        catch (PgServerException e) when (e.SqlState == "55006" && !_streamedOnce)
        {
            throw new WalStreamException($"replication slot \"{_options.SlotName}\" is in use by another process: {e.MessageText}",
                "another receiver (pg_receivewal, a standby, another pgark) streams from this slot; give pgark its own with --slot", e);
        }
        catch (PgServerException e) when (e.SqlState == "58P01")
        {
            throw new WalStreamException(
                $"the server no longer has the WAL from {segment.ReceivedEnd} on timeline {segment.Timeline}: {e.MessageText}",
                "the archive now has a gap: take a new base backup; keep a replication slot so the server retains WAL until pgark stores it", e);
        }
    }
}
