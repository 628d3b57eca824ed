using System.Globalization;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Logical;

/// <summary>
/// One exported snapshot that every connection of a backup reads through, so catalogs and all tables are seen as of
/// one instant. When the role may replicate and wal_level is logical, a replication=database connection creates a
/// TEMPORARY logical slot (pgoutput) with EXPORT_SNAPSHOT: the slot's consistent point is then the exact LSN the data
/// corresponds to, and the slot vanishes with the connection. Otherwise a REPEATABLE READ transaction exports its
/// snapshot with pg_export_snapshot() and the LSN recorded is pg_current_wal_lsn() inside it (an upper bound).
/// Either way the exporting session must stay open and idle until every worker has imported the snapshot.
/// </summary>
internal sealed class ConsistentSnapshot : IAsyncDisposable
{
    private readonly PgConnection _holder;

    private ConsistentSnapshot(PgConnection holder, string name, string method, Lsn? lsn)
    {
        _holder = holder;
        Name = name;
        Method = method;
        ConsistentLsn = lsn;
    }

    public string Name { get; }
    /// <summary>"replication-slot" or "exported-snapshot" (spec/logical-format.md §3).</summary>
    public string Method { get; }
    public Lsn? ConsistentLsn { get; }

    public static async Task<ConsistentSnapshot> TakeAsync(ConnectionSettings source, bool preferSlot, CancellationToken cancellationToken)
    {
        if (preferSlot && await CanUseSlotAsync(source, cancellationToken).ConfigureAwait(false))
            return await FromSlotAsync(source, cancellationToken).ConfigureAwait(false);
        return await FromExportAsync(source, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a worker session reading through this snapshot (REPEATABLE READ, READ ONLY).</summary>
    public async Task<PgConnection> OpenReaderAsync(ConnectionSettings source, CancellationToken cancellationToken)
    {
        PgConnection connection = await PgConnection.OpenAsync(source with { Replication = ReplicationMode.None }, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(SessionSetup.Read + "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; " +
                $"SET TRANSACTION SNAPSHOT {SqlText.Literal(Name)}", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<bool> CanUseSlotAsync(ConnectionSettings source, CancellationToken cancellationToken)
    {
        await using PgConnection probe = await PgConnection.OpenAsync(source with { Replication = ReplicationMode.None }, cancellationToken)
            .ConfigureAwait(false);
        var result = await probe.QueryTextAsync(
            "SELECT (r.rolreplication OR r.rolsuper)::text, current_setting('wal_level'), pg_is_in_recovery()::text " +
            "FROM pg_catalog.pg_roles r WHERE r.rolname = current_user", cancellationToken).ConfigureAwait(false);
        return result.Rows.Count == 1 && result.Rows[0][0] == "true" && result.Rows[0][1] == "logical" && result.Rows[0][2] == "false";
    }

    private static async Task<ConsistentSnapshot> FromSlotAsync(ConnectionSettings source, CancellationToken cancellationToken)
    {
        PgConnection replication = await PgConnection.OpenAsync(source with { Replication = ReplicationMode.Database }, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            string slot = "pgark_logical_" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "_" +
                DateTime.UtcNow.Ticks.ToString("x", CultureInfo.InvariantCulture);
            ReplicationSlotCreated created = await replication.CreateReplicationSlotAsync(slot, new CreateReplicationSlotOptions
            {
                Kind = ReplicationSlotKind.Logical,
                OutputPlugin = "pgoutput",
                Temporary = true,
                Snapshot = SlotSnapshotAction.Export,
            }, cancellationToken).ConfigureAwait(false);
            string name = created.SnapshotName ?? throw new LogicalException($"CREATE_REPLICATION_SLOT {slot} exported no snapshot");
            return new ConsistentSnapshot(replication, name, "replication-slot", created.ConsistentPoint);
        }
        catch
        {
            await replication.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<ConsistentSnapshot> FromExportAsync(ConnectionSettings source, CancellationToken cancellationToken)
    {
        PgConnection holder = await PgConnection.OpenAsync(source with { Replication = ReplicationMode.None }, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            var result = await holder.QueryTextAsync(SessionSetup.Read + "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; " +
                "SELECT pg_catalog.pg_export_snapshot(), CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn() " +
                "ELSE pg_catalog.pg_current_wal_lsn() END::text", cancellationToken).ConfigureAwait(false);
            string?[] row = result.Rows[^1];
            return new ConsistentSnapshot(holder, row[0]!, "exported-snapshot", row[1] is null ? null : Lsn.Parse(row[1]!));
        }
        catch
        {
            await holder.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closing the exporting session ends the export (and drops a temporary slot).</summary>
    public ValueTask DisposeAsync() => _holder.DisposeAsync();
}
