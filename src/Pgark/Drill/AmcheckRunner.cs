using Pgark.Logical.Schema;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Drill;

/// <summary>
/// amcheck in one database of the scratch server: bt_index_check (structure, no heap lookups) on every valid btree
/// index, and on PostgreSQL 14+ verify_heapam on every table, materialized view and TOAST table. One statement per
/// relation, so one corrupt relation is reported and the rest still checked.
/// </summary>
internal static class AmcheckRunner
{
    private const int FindingsPerRelation = 5;

    /// <summary>CREATE EXTENSION amcheck; false when the installation does not ship it (contrib not installed).</summary>
    public static async Task<bool> InstallAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        string available = (await connection.QueryTextAsync(
            "SELECT count(*)::text FROM pg_catalog.pg_available_extensions WHERE name = 'amcheck'", cancellationToken).ConfigureAwait(false)).Scalar!;
        if (available == "0")
            return false;
        await connection.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS amcheck", cancellationToken).ConfigureAwait(false);
        return true;
    }

    public static async Task<(int Indexes, int Heaps)> CheckAsync(PgConnection connection, string database, int major, List<string> failures,
        CancellationToken cancellationToken)
    {
        string schema = (await connection.QueryTextAsync(
            "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace " +
            "WHERE e.extname = 'amcheck'", cancellationToken).ConfigureAwait(false)).Scalar!;
        var indexes = await CatalogRows.ReadAsync(connection, """
            SELECT c.oid::text, pg_catalog.format('%I.%I', n.nspname, c.relname)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_catalog.pg_am a ON a.oid = c.relam JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
            WHERE c.relkind = 'i' AND a.amname = 'btree' AND c.relpersistence <> 't' AND i.indisvalid AND i.indisready
            ORDER BY 2
            """, cancellationToken).ConfigureAwait(false);
        foreach (string?[] index in indexes)
        {
            try
            {
                await connection.ExecuteAsync($"SELECT {schema}.bt_index_check({index[0]}::pg_catalog.regclass)", cancellationToken).ConfigureAwait(false);
            }
            catch (PgServerException e)
            {
                failures.Add($"{database}: index {index[1]}: {e.MessageText}");
            }
        }
        if (major < 14)
            return (indexes.Count, 0);
        var heaps = await CatalogRows.ReadAsync(connection, """
            SELECT c.oid::text, pg_catalog.format('%I.%I', n.nspname, c.relname)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'm', 't') AND c.relpersistence <> 't' AND (c.relkind <> 'm' OR c.relispopulated)
            ORDER BY 2
            """, cancellationToken).ConfigureAwait(false);
        foreach (string?[] heap in heaps)
        {
            try
            {
                var rows = await CatalogRows.ReadAsync(connection,
                    $"SELECT blkno::text, offnum::text, msg FROM {schema}.verify_heapam({heap[0]}::pg_catalog.regclass) LIMIT {FindingsPerRelation}",
                    cancellationToken).ConfigureAwait(false);
                failures.AddRange(rows.Select(r => $"{database}: table {heap[1]} block {r[0]} item {r[1] ?? "-"}: {r[2]}"));
            }
            catch (PgServerException e)
            {
                failures.Add($"{database}: table {heap[1]}: {e.MessageText}");
            }
        }
        return (indexes.Count, heaps.Count);
    }
}
