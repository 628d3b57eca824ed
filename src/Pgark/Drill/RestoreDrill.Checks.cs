using System.Globalization;
using Pgark.Logical.Schema;
using Pgark.Physical.RowCounts;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Drill;

// The checks on a restored physical cluster: row counts per table against the recorded ones, then amcheck.
public sealed partial class RestoreDrill
{
    /// <summary>
    /// Counting reads the heap, never an index: an index-only scan would answer from the visibility map and the index
    /// and could hide heap pages that came back empty.
    /// </summary>
    private const string HeapOnly = "SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off; " +
        "SET search_path = ''; SET statement_timeout = 0";

    /// <summary>Every permanent table of every database, with the recorded count where there is one.</summary>
    private async Task<IReadOnlyList<TableCheck>> CountPhysicalAsync(ScratchServer server, RowCountDocument? counts,
        IReadOnlyList<DamagedRelation> damaged, CancellationToken cancellationToken)
    {
        Say("counting rows");
        var damagedTables = damaged.Where(d => d.Table is not null).Select(d => (d.Database!, d.Table!)).ToHashSet();
        var tables = new List<TableCheck>();
        var databases = await server.DatabasesAsync(cancellationToken).ConfigureAwait(false);
        foreach ((_, string database) in databases)
        {
            Dictionary<string, long>? expected = counts is not null && counts.Database == database
                ? counts.Tables.ToDictionary(t => t.QualifiedName, t => t.Rows, StringComparer.Ordinal)
                : null;
            var restored = await CountDatabaseAsync(server, database, cancellationToken).ConfigureAwait(false);
            foreach ((string table, long? rows) in restored)
            {
                long? recorded = expected is not null && expected.TryGetValue(table, out long r) ? r : null;
                TableMatch match = rows is null ? TableMatch.Missing
                    : recorded is { } e && e != rows ? TableMatch.Mismatch
                    : damagedTables.Contains((database, table)) ? TableMatch.Damaged
                    : recorded is null ? TableMatch.NotRecorded
                    : TableMatch.Match;
                tables.Add(new TableCheck(database, table, recorded, rows, null, null, match));
            }
            // Recorded tables the restored server does not have at all.
            foreach (var (table, rows) in expected ?? [])
            {
                if (!restored.ContainsKey(table))
                    tables.Add(new TableCheck(database, table, rows, null, null, null, TableMatch.Missing));
            }
        }
        if (counts is not null && databases.All(d => d.Name != counts.Database))
            _problems.Add($"the database {counts.Database} whose row counts were recorded is not in the restored server");
        return tables;
    }

    /// <summary>table → rows, or null when counting failed (the failure is recorded as a problem).</summary>
    private async Task<SortedDictionary<string, long?>> CountDatabaseAsync(ScratchServer server, string database, CancellationToken cancellationToken)
    {
        var result = new SortedDictionary<string, long?>(StringComparer.Ordinal);
        await using PgConnection connection = await server.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(HeapOnly, cancellationToken).ConfigureAwait(false);
        foreach (string?[] row in await CatalogRows.ReadAsync(connection, RowCounter.TablesSql, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                string rows = (await connection.QueryTextAsync(RowCounter.CountSql(row[2]!, row[3] == "m"), cancellationToken)
                    .ConfigureAwait(false)).Scalar!;
                result[row[2]!] = long.Parse(rows, CultureInfo.InvariantCulture);
            }
            catch (PgServerException e)
            {
                _problems.Add($"table {database}: {row[2]} cannot be read in the restored server: {e.MessageText}");
                result[row[2]!] = null;
            }
        }
        return result;
    }

    /// <summary>bt_index_check on every btree index and (PostgreSQL 14+) verify_heapam on every table, in every database.</summary>
    private async Task<AmcheckReport> RunAmcheckAsync(ScratchServer server, CancellationToken cancellationToken)
    {
        if (!options.Amcheck)
            return AmcheckReport.NotRun;
        Say("running amcheck");
        int indexes = 0, heaps = 0;
        var failures = new List<string>();
        foreach ((_, string database) in await server.DatabasesAsync(cancellationToken).ConfigureAwait(false))
        {
            await using PgConnection connection = await server.OpenAsync(database, cancellationToken).ConfigureAwait(false);
            if (!await AmcheckRunner.InstallAsync(connection, cancellationToken).ConfigureAwait(false))
                return AmcheckReport.NotRun with { Failures = failures };
            (int checkedIndexes, int checkedHeaps) = await AmcheckRunner.CheckAsync(connection, database, server.Major, failures, cancellationToken)
                .ConfigureAwait(false);
            indexes += checkedIndexes;
            heaps += checkedHeaps;
        }
        return new AmcheckReport(true, indexes, heaps, failures);
    }
}
