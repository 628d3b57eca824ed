using System.Globalization;
using Pgark.Logical;
using Pgark.Logical.Schema;
using Pgark.Wire;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Physical.RowCounts;

/// <summary>
/// Exact row counts for a physical backup. A base backup is fuzzy until its end LSN, so counts read from an ordinary
/// snapshot would not match a restore under concurrent writes. Instead, after BASE_BACKUP has sent its files, a
/// TEMPORARY logical slot is created with EXPORT_SNAPSHOT (wal_level = logical only): its exported snapshot sees exactly
/// the transactions committed before its consistent point, and recovery stopped just before that LSN reproduces it.
/// A small transaction committed after the slot guarantees a WAL record at or past the consistent point, so recovery
/// with an exclusive target finds where to stop; the backup's WAL streaming runs until <see cref="StreamUntil"/>.
/// </summary>
internal sealed class RowCounter : IAsyncDisposable
{
    private readonly ConsistentSnapshot _snapshot;
    private readonly ConnectionSettings _source;

    private RowCounter(ConsistentSnapshot snapshot, ConnectionSettings source, Lsn consistentPoint, Lsn streamUntil)
    {
        _snapshot = snapshot;
        _source = source;
        ConsistentPoint = consistentPoint;
        StreamUntil = streamUntil;
    }

    /// <summary>The slot's consistent point: the recovery target of a drill.</summary>
    public Lsn ConsistentPoint { get; }

    /// <summary>How far the backup's WAL must reach for recovery to find its target (a record past the consistent point).</summary>
    public Lsn StreamUntil { get; }

    /// <summary>
    /// Creates the slot and its snapshot on the database of <paramref name="source"/>. Counting is an extra: when it
    /// cannot be done (wal_level is not logical, the role may not replicate, the server is a standby, no dbname was
    /// given, the ordinary connection is refused) the backup goes on and <c>Skipped</c> says why nothing is recorded.
    /// </summary>
    public static async Task<(RowCounter? Counter, string? Skipped)> TryStartAsync(ConnectionSettings source, CancellationToken cancellationToken)
    {
        // A physical replication connection without dbname is named "replication", which is no database to count.
        if (source.Database == "replication")
            return (null, "no dbname in the connection string; give dbname=<database> to record its tables' row counts");
        ConnectionSettings sql = source with { Replication = ReplicationMode.None };
        ConsistentSnapshot snapshot;
        try
        {
            // Asked first and said plainly: on a standby neither the slot (PostgreSQL 16+ would wait there for the
            // primary's next running-transactions record) nor the marker transaction (read-only) is possible.
            if (await IsStandbyAsync(sql, cancellationToken).ConfigureAwait(false))
                return (null, StandbySkip);
            snapshot = await ConsistentSnapshot.TakeAsync(sql, preferSlot: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PgServerException or PgConnectionException or LogicalException)
        {
            return (null, $"database {source.Database} could not be read: {e.Message}");
        }
        if (snapshot.Method != "replication-slot" || snapshot.ConsistentLsn is not { } consistentPoint)
        {
            await snapshot.DisposeAsync().ConfigureAwait(false);
            return (null, "needs wal_level=logical on a primary and a role with REPLICATION (or superuser)");
        }
        try
        {
            Lsn streamUntil = await CommitMarkerAsync(sql, cancellationToken).ConfigureAwait(false);
            return (new RowCounter(snapshot, sql, consistentPoint, Lsn.Max(streamUntil, consistentPoint)), null);
        }
        catch (Exception e) when (e is PgServerException)
        {
            await snapshot.DisposeAsync().ConfigureAwait(false);
            return (null, $"the marker transaction failed: {e.Message}");
        }
        catch
        {
            await snapshot.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Why a backup of a standby has no row counts (see spec/physical.md, "Backup from a standby").</summary>
    internal const string StandbySkip = "the server is a standby (in recovery): counts need a temporary logical slot and a " +
        "marker transaction, which only a primary allows; back up the primary for a snapshot with row counts";

    private static async Task<bool> IsStandbyAsync(ConnectionSettings sql, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(sql, cancellationToken).ConfigureAwait(false);
        return (await connection.QueryTextAsync("SELECT pg_catalog.pg_is_in_recovery()::text", cancellationToken)
            .ConfigureAwait(false)).Scalar == "true";
    }

    /// <summary>
    /// Commits a transaction that writes WAL (a temporary table's catalog rows), so its commit record lands after the
    /// consistent point and is flushed before COMMIT returns, and returns the flush position after it. A transaction that
    /// only took an xid would commit asynchronously (xact.c flushes only when the transaction wrote WAL before its
    /// commit record), leaving the flush position behind the commit record for up to wal_writer_delay.
    /// </summary>
    private static async Task<Lsn> CommitMarkerAsync(ConnectionSettings sql, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(sql, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("BEGIN; SET LOCAL synchronous_commit = on; " +
            "CREATE TEMPORARY TABLE pgark_row_counts_marker () ON COMMIT DROP; COMMIT", cancellationToken).ConfigureAwait(false);
        string flushed = (await connection.QueryTextAsync("SELECT pg_catalog.pg_current_wal_flush_lsn()::text", cancellationToken)
            .ConfigureAwait(false)).Scalar!;
        return Lsn.Parse(flushed);
    }

    /// <summary>Counts the rows of every permanent table (and populated materialized view) of the database.</summary>
    public async Task<RowCountDocument> CountAsync(CancellationToken cancellationToken)
    {
        await using PgConnection reader = await _snapshot.OpenReaderAsync(_source, cancellationToken).ConfigureAwait(false);
        var tables = new List<TableRowCount>();
        foreach (string?[] row in await CatalogRows.ReadAsync(reader, TablesSql, cancellationToken).ConfigureAwait(false))
        {
            string rows = (await reader.QueryTextAsync(CountSql(row[2]!, row[3] == "m"), cancellationToken).ConfigureAwait(false)).Scalar!;
            tables.Add(new TableRowCount(row[0]!, row[1]!, row[2]!, long.Parse(rows, CultureInfo.InvariantCulture)));
        }
        return new RowCountDocument(_source.Database, ConsistentPoint.ToString(), DateTimeOffset.UtcNow, tables);
    }

    /// <summary>
    /// Tables whose rows survive recovery: permanent (unlogged ones come back empty), with storage (not partitioned
    /// parents, views or foreign tables), in user schemas. Shared by the drill, which counts the same set after restore.
    /// </summary>
    internal static string TablesSql => $"""
        SELECT n.nspname, c.relname, pg_catalog.format('%I.%I', n.nspname, c.relname), c.relkind
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE (c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated)) AND c.relpersistence = 'p' AND {CatalogRows.UserSchema("n")}
        ORDER BY 3
        """;

    /// <summary>ONLY: a parent's count must not include its children, which are counted themselves.</summary>
    internal static string CountSql(string qualifiedName, bool materializedView)
        => $"SELECT pg_catalog.count(*)::text FROM {(materializedView ? "" : "ONLY ")}{qualifiedName}";

    public ValueTask DisposeAsync() => _snapshot.DisposeAsync();
}
