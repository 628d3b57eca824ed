using Pgark.Cluster;
using Pgark.Wire.Connection;

namespace Pgark.Drill;

/// <summary>Connections to the drill's scratch server: over its Unix-domain socket as the superuser (trusted there).</summary>
internal sealed class ScratchServer(LocalCluster cluster)
{
    public LocalCluster Cluster => cluster;

    public int Major => cluster.Installation.Major;

    public ConnectionSettings Settings(string database = "postgres")
        => ConnectionSettings.Parse(cluster.ConnInfo(database, host: cluster.SocketDirectory));

    public Task<PgConnection> OpenAsync(string database, CancellationToken cancellationToken)
        => PgConnection.OpenAsync(Settings(database), cancellationToken);

    /// <summary>Databases a drill checks: every one that accepts connections, templates excepted.</summary>
    public async Task<IReadOnlyList<(string Oid, string Name)>> DatabasesAsync(CancellationToken cancellationToken)
    {
        await using PgConnection connection = await OpenAsync("postgres", cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryTextAsync(
            "SELECT oid::text, datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname",
            cancellationToken).ConfigureAwait(false)).Rows;
        return rows.Select(r => (r[0]!, r[1]!)).ToList();
    }
}
