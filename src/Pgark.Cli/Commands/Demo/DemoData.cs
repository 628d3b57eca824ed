using Pgark.Wire.Connection;

namespace Pgark.Cli.Commands;

/// <summary>The demo's workload, through pgark's own wire layer: a table, a 1% update, and a content fingerprint.</summary>
internal static class DemoData
{
    public const int Rows = 200_000;

    /// <summary>
    /// The table, vacuumed: otherwise the first full scan (the backup's row count) sets hint bits on every page, and
    /// the next backup would see every page changed.
    /// </summary>
    public static async Task FillAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken: cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync($"""
            CREATE TABLE orders (id int PRIMARY KEY, customer int NOT NULL, amount numeric(10,2) NOT NULL,
                                 placed timestamptz NOT NULL, note text);
            INSERT INTO orders SELECT g, g % 997, (g % 10000) / 100.0, '2026-01-01'::timestamptz + g * interval '1 min',
                                      md5(g::text) FROM generate_series(1, {Rows}) g
            """, cancellationToken).ConfigureAwait(false);
        // VACUUM refuses to run in the implicit transaction of a multi-statement query: one statement each.
        await connection.ExecuteAsync("VACUUM (FREEZE) orders", cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("CHECKPOINT", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// 1% of the rows, in one key range (recent orders change, old ones don't). An update spread over every page would
    /// rewrite every page, and no page-granular backup could then store less than the whole table again.
    /// </summary>
    public static async Task UpdateOnePercentAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken: cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync($"UPDATE orders SET amount = amount + 1 WHERE id > {Rows - Rows / 100}; CHECKPOINT;", cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Row count and md5 of every row in key order: equal fingerprints mean equal contents.</summary>
    public static async Task<string> FingerprintAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken: cancellationToken).ConfigureAwait(false);
        PgTextResult result = await connection.QueryTextAsync(
            "SELECT count(*) || ' rows, md5 ' || md5(string_agg(o::text, '|' ORDER BY id)) FROM orders o", cancellationToken)
            .ConfigureAwait(false);
        return result.Scalar ?? "";
    }
}
