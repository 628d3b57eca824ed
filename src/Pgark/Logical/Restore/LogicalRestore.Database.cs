using Pgark.Logical.Schema;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Restore;

// The database's own properties and settings: the objects tied to the "(database)" table.
public static partial class LogicalRestore
{
    /// <summary>
    /// The database's owner, comment, connection limit, template flag, ACL and settings belong to the database, not to its
    /// contents: like pg_restore, which applies them only with --create, a restore applies them only to the database it
    /// creates (<see cref="LogicalRestoreOptions.CreateDatabase"/>); an existing target keeps its own.
    /// </summary>
    private static bool WantedDatabaseProperty(SchemaObject item, LogicalRestoreOptions options) => options.CreateDatabase is not null && item.Kind switch
    {
        "database owner" => !options.NoOwner,
        "database acl" => !options.NoPrivileges,
        "database role setting" => !options.NoRoleSettings,
        _ => true,
    };

    private static bool IsDatabaseProperty(SchemaObject item) => item.Table == SchemaExtractor.DatabaseTable;

    /// <summary>
    /// Last of all, after the verification: a connection limit or a revoked CONNECT must not keep out the restore's own
    /// workers, and a setting must not reach their sessions. The statements name the created database where the backup
    /// put <see cref="DatabasePlaceholder.Marker"/> (snapshots written before the marker used DO blocks, which run as they are).
    /// </summary>
    private static Task<int> ApplyDatabasePropertiesAsync(PgConnection connection, IEnumerable<SchemaObject> objects, string? database,
        int sourceVersion, CancellationToken cancellationToken) =>
        database is null
            ? Task.FromResult(0)
            : ApplyAsync(connection, objects.Where(IsDatabaseProperty).Select(o => o with { Sql = DatabasePlaceholder.Substitute(o.Sql, database) }),
                cancellationToken, sourceVersion);
}
