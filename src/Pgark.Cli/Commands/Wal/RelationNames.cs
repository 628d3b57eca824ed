using System.Globalization;
using Pgark.Wal.Reader;
using Pgark.Wal.Show;
using Pgark.Wire.Connection;

namespace Pgark.Cli.Commands.Wal;

/// <summary>
/// Names relfilenodes as schema.table on a running server (wal show --db). A relfilenode means something only inside its
/// database, so each database gets its own connection, opened when first needed; answers are cached. The names are
/// today's: a relation rewritten or dropped since the WAL was written has another name or none.
/// </summary>
internal sealed class RelationNames(ConnectionSettings settings) : IAsyncDisposable
{
    private readonly Dictionary<uint, PgConnection?> _byDatabase = [];
    private readonly Dictionary<RelFileLocator, string?> _names = [];
    private Dictionary<uint, string>? _databases;
    private uint _currentDatabase;

    public async Task<IReadOnlyList<string?>> NamesAsync(IReadOnlyList<WalShowRelation> relations, CancellationToken cancellationToken)
    {
        var names = new string?[relations.Count];
        for (int i = 0; i < names.Length; i++)
            names[i] = await NameAsync(relations[i].Relation, cancellationToken).ConfigureAwait(false);
        return names;
    }

    private async Task<string?> NameAsync(RelFileLocator relation, CancellationToken cancellationToken)
    {
        if (_names.TryGetValue(relation, out string? known))
            return known;
        PgConnection? connection = await ConnectionAsync(relation.DbOid, cancellationToken).ConfigureAwait(false);
        string? name = null;
        if (connection is not null)
        {
            // pg_filenode_relation treats the database's default tablespace as 0, as pg_class stores it.
            string sql = string.Create(CultureInfo.InvariantCulture,
                $"SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = pg_filenode_relation({relation.SpcOid}, {relation.RelNumber})");
            PgTextResult result = await connection.QueryTextAsync(sql, cancellationToken).ConfigureAwait(false);
            name = result.Rows.Count == 1 ? result.Rows[0][0] : null;
        }
        _names[relation] = name;
        return name;
    }

    /// <summary>A session in the database with this OID; null when the server has no such database (dropped since).</summary>
    private async Task<PgConnection?> ConnectionAsync(uint databaseOid, CancellationToken cancellationToken)
    {
        if (_byDatabase.TryGetValue(databaseOid, out PgConnection? open))
            return open;
        if (_databases is null)
        {
            PgConnection first = await PgConnection.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            PgTextResult rows = await first.QueryTextAsync("SELECT oid, datname, datname = current_database() FROM pg_database", cancellationToken)
                .ConfigureAwait(false);
            _databases = rows.Rows.ToDictionary(r => uint.Parse(r[0]!, CultureInfo.InvariantCulture), r => r[1]!);
            string?[] current = rows.Rows.Single(r => r[2] == "t");
            _currentDatabase = uint.Parse(current[0]!, CultureInfo.InvariantCulture);
            _byDatabase[_currentDatabase] = first;
            if (_byDatabase.TryGetValue(databaseOid, out open))
                return open;
        }
        // Shared catalogs (pg_authid, pg_database: database 0, tablespace pg_global) are named from any database.
        if (databaseOid == 0)
            return _byDatabase[_currentDatabase];
        PgConnection? connection = _databases.TryGetValue(databaseOid, out string? name)
            ? await PgConnection.OpenAsync(settings with { Database = name }, cancellationToken).ConfigureAwait(false)
            : null;
        _byDatabase[databaseOid] = connection;
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (PgConnection? connection in _byDatabase.Values)
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
