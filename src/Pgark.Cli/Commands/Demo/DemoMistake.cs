using System.Globalization;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Cli.Commands;

/// <summary>What the demo's mistake did and when: the moment a point-in-time restore must go back to.</summary>
/// <param name="OrdersBefore">Rows in orders just before the DELETE: what the restore must bring back.</param>
/// <param name="Lsn">pg_current_wal_lsn() right after the DELETE committed.</param>
internal sealed record DemoMistake(long OrdersBefore, long RowsDeleted, DateTimeOffset Time, Lsn Lsn);

/// <summary>The demo's story after the backups: more orders, the mistake, and writes that came after it.</summary>
internal static class DemoMistakes
{
    /// <summary>Orders placed after the backups, so only WAL replay (not a backup) can bring them back.</summary>
    public const int LateOrders = 1_000;

    /// <summary>Ids of the writes after the mistake: the restore must not have them.</summary>
    public const int AfterMistakeFirstId = 900_001;
    public const int AfterMistakeRows = 3;

    public static async Task AddLateOrdersAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken: cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync($"""
            INSERT INTO orders SELECT g, g % 997, 9.99, now(), 'late order ' || g
                                 FROM generate_series({DemoData.Rows + 1}, {DemoData.Rows + LateOrders}) g
            """, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<Lsn> CurrentLsnAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Lsn.Parse((await connection.QueryTextAsync("SELECT pg_current_wal_lsn()::text", cancellationToken).ConfigureAwait(false)).Scalar!);
    }

    /// <summary>The classic one: DELETE with no WHERE, in autocommit, as someone types it at a psql prompt.</summary>
    public static async Task<DemoMistake> DeleteEverythingAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken: cancellationToken).ConfigureAwait(false);
        long before = await CountAsync(connection, "SELECT count(*) FROM orders", cancellationToken).ConfigureAwait(false);
        string? tag = await connection.ExecuteAsync("DELETE FROM orders", cancellationToken).ConfigureAwait(false);
        DateTimeOffset time = DateTimeOffset.UtcNow;
        PgTextResult lsn = await connection.QueryTextAsync("SELECT pg_current_wal_lsn()::text", cancellationToken).ConfigureAwait(false);
        long deleted = long.Parse(tag?.Split(' ')[^1] ?? "0", CultureInfo.InvariantCulture);
        return new DemoMistake(before, deleted, time, Lsn.Parse(lsn.Scalar!));
    }

    /// <summary>Life goes on after the mistake: new orders the restore to the moment before it must not contain.</summary>
    public static async Task<Lsn> WriteAfterMistakeAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken: cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < AfterMistakeRows; i++)
        {
            await connection.ExecuteAsync($"INSERT INTO orders VALUES ({AfterMistakeFirstId + i}, 1, 1.00, now(), 'after the mistake')", cancellationToken)
                .ConfigureAwait(false);
        }
        PgTextResult lsn = await connection.QueryTextAsync("SELECT pg_current_wal_lsn()::text", cancellationToken).ConfigureAwait(false);
        return Lsn.Parse(lsn.Scalar!);
    }

    /// <summary>(all orders, orders written after the mistake) on a server.</summary>
    public static async Task<(long Orders, long AfterMistake)> CountAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken: cancellationToken).ConfigureAwait(false);
        long orders = await CountAsync(connection, "SELECT count(*) FROM orders", cancellationToken).ConfigureAwait(false);
        long after = await CountAsync(connection, $"SELECT count(*) FROM orders WHERE id >= {AfterMistakeFirstId}", cancellationToken)
            .ConfigureAwait(false);
        return (orders, after);
    }

    private static async Task<long> CountAsync(PgConnection connection, string sql, CancellationToken cancellationToken)
        => long.Parse((await connection.QueryTextAsync(sql, cancellationToken).ConfigureAwait(false)).Scalar!, CultureInfo.InvariantCulture);
}
