using Pgark.Logical.Schema;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Restore;

// The database's own properties and settings (objects tied to the "(database)" table), and the server version checks.
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

    /// <summary>
    /// A logical backup restores onto the same or a newer major: an older server may lack what the definitions use (and
    /// pg_dump promises nothing there either). Checked before anything is created.
    /// </summary>
    private static async Task CheckTargetVersionAsync(ConnectionSettings target, LogicalManifest manifest, string snapshotId,
        CancellationToken cancellationToken)
    {
        int targetVersion;
        await using (PgConnection connection = await PgConnection.OpenAsync(target with { Replication = ReplicationMode.None }, cancellationToken)
            .ConfigureAwait(false))
        {
            targetVersion = connection.ServerVersionNumber;
        }
        if (Major(targetVersion) < Major(manifest.ServerVersionNumber))
        {
            throw new LogicalException($"backup {snapshotId} was taken on PostgreSQL {manifest.ServerVersion} and the target server runs " +
                $"PostgreSQL {VersionText(targetVersion)}: a logical backup restores onto the same or a newer major version only; " +
                $"hint: restore onto a PostgreSQL {Major(manifest.ServerVersionNumber)} or newer server");
        }
    }

    /// <summary>A hint for a statement that failed on another major than the backup's: the target may have dropped or changed a feature.</summary>
    private static string VersionHint(int sourceVersion, int targetVersion) =>
        sourceVersion == 0 || Major(sourceVersion) == Major(targetVersion) ? "" :
            $"; hint: the backup was taken on PostgreSQL {VersionText(sourceVersion)} and the target runs {VersionText(targetVersion)}; " +
            $"if PostgreSQL {Major(targetVersion)} no longer accepts this definition, change the object on the source (or after a restore " +
            $"onto PostgreSQL {Major(sourceVersion)}) and take a new backup";

    private static int Major(int versionNumber) => versionNumber / 10000;

    private static string VersionText(int versionNumber) => $"{versionNumber / 10000}.{versionNumber % 10000}";
}
