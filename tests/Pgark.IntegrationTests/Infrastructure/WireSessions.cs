using Pgark.Cluster;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.IntegrationTests.Infrastructure;

/// <summary>Opens pgark's own connections (Pgark.Wire) from a cluster's libpq conninfo.</summary>
public static class WireSessions
{
    // The machine's PG* variables and passfile must not leak into the case under test.
    private static readonly IReadOnlyDictionary<string, string?> s_noEnvironment =
        new Dictionary<string, string?> { ["PGPASSFILE"] = "/nonexistent/pgark-test-passfile" };

    public static ConnectionSettings Settings(string conninfo) => ConnectionSettings.Parse(conninfo, s_noEnvironment);

    public static Task<PgConnection> OpenAsync(string conninfo, CancellationToken cancellationToken = default)
        => PgConnection.OpenAsync(Settings(conninfo), cancellationToken);

    public static Task<PgConnection> OpenWireAsync(this LocalCluster cluster, string? user = null, string? password = null,
        string? replication = null, string? sslMode = null, string? host = null, IReadOnlyDictionary<string, string>? extra = null)
        => OpenAsync(cluster.ConnInfo(user: user, password: password, replication: replication, sslMode: sslMode, host: host,
            extra: extra));

    /// <summary>Asserts that opening fails with a <see cref="PgConnectionException"/> of <paramref name="failure"/>.</summary>
    public static async Task<PgConnectionException> OpenFailsAsync(string conninfo, PgConnectionFailure failure)
    {
        var error = await Assert.ThrowsAsync<PgConnectionException>(async () =>
        {
            await using PgConnection unexpected = await OpenAsync(conninfo);
        });
        Assert.True(error.Failure == failure, $"expected {failure}, got {error.Failure}: {error.Message}");
        return error;
    }
}
