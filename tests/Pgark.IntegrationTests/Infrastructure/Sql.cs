using Npgsql;
using Pgark.Cluster;

namespace Pgark.IntegrationTests.Infrastructure;

/// <summary>SQL through Npgsql, the independent oracle of the integration tests.</summary>
public static class Sql
{
    public static async Task<T> ScalarAsync<T>(this LocalCluster cluster, string sql, string database = "postgres",
        string? host = null)
    {
        await using var connection = new NpgsqlConnection(cluster.NpgsqlConnectionString(database, host: host));
        await connection.OpenAsync();
        return await ScalarAsync<T>(connection, sql);
    }

    public static async Task<T> ScalarAsync<T>(this NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        object? value = await command.ExecuteScalarAsync();
        return (T)value!;
    }

    public static async Task ExecuteAsync(this LocalCluster cluster, string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(cluster.NpgsqlConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
