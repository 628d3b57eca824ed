using Pgark.Logical.Schema;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Restore;

// --globals: roles and tablespaces from globals.json, before the database. A role or tablespace that exists is kept, not
// recreated (the cluster may be the source itself); everything else about it is applied.
public static partial class LogicalRestore
{
    private static DocumentRef? FindDocument(SnapshotInfo snapshot, string name) => snapshot.Record.Documents.FirstOrDefault(d => d.Name == name);

    private static async Task<int> RestoreGlobalsAsync(Repository.Repository repository, PgConnection connection, SnapshotInfo snapshot,
        LogicalRestoreOptions options, CancellationToken cancellationToken)
    {
        var document = FindDocument(snapshot, LogicalManifest.GlobalsDocumentName) ?? throw new LogicalException(
            $"snapshot {snapshot.ShortId} holds no roles or tablespaces; hint: take the backup with --globals, or restore without --globals");
        var objects = LogicalManifest.DecodeSchema(await repository.ReadDocumentAsync(document, cancellationToken).ConfigureAwait(false),
            LogicalManifest.GlobalsFormat);
        var roles = await NamesAsync(connection, "SELECT rolname FROM pg_catalog.pg_roles", cancellationToken).ConfigureAwait(false);
        var tablespaces = await NamesAsync(connection, "SELECT spcname FROM pg_catalog.pg_tablespace", cancellationToken).ConfigureAwait(false);
        var wanted = objects.Where(o => o.Kind switch
        {
            "role" => !roles.Contains(o.Name),
            "tablespace" => !tablespaces.Contains(o.Name),
            "acl" => !options.NoPrivileges,
            _ => true,
        }).Select(o => o.Kind == "tablespace" ? o with { Sql = MapLocation(o.Sql, options.TablespaceMapping) } : o);
        return await ApplyAsync(connection, wanted, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HashSet<string>> NamesAsync(PgConnection connection, string sql, CancellationToken cancellationToken) =>
        (await CatalogRows.ReadAsync(connection, sql, cancellationToken).ConfigureAwait(false)).Select(r => r[0]!).ToHashSet(StringComparer.Ordinal);

    /// <summary>The directory a globals "tablespace" object creates its tablespace in (the LOCATION literal its statement ends with).</summary>
    internal static string? TablespaceLocation(SchemaObject tablespace)
    {
        const string Location = " LOCATION '";
        int start = tablespace.Sql.LastIndexOf(Location, StringComparison.Ordinal);
        return start < 0 || !tablespace.Sql.EndsWith('\'') ? null
            : tablespace.Sql[(start + Location.Length)..^1].Replace("''", "'", StringComparison.Ordinal);
    }

    /// <summary>CREATE TABLESPACE ends with LOCATION '&lt;directory&gt;'; a mapped directory replaces it.</summary>
    private static string MapLocation(string statement, IReadOnlyDictionary<string, string> mapping)
    {
        foreach (var (from, to) in mapping)
        {
            string literal = " LOCATION " + SqlText.Literal(from);
            if (statement.EndsWith(literal, StringComparison.Ordinal))
                return statement[..^literal.Length] + " LOCATION " + SqlText.Literal(to);
        }
        return statement;
    }
}
