using Pgark.Logical.Schema;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Restore;

// Where restored objects land (their tablespaces), and what to tell the user when a statement names a role or tablespace the
// target server lacks: those are globals, which a database restore does not make unless asked (--globals).
public static partial class LogicalRestore
{
    /// <summary>
    /// An object recorded in a tablespace other than the database's default is created there: SET LOCAL default_tablespace
    /// ahead of its statement, one simple query, so the setting ends with the statement's implicit transaction and never
    /// reaches the next object run on the same connection (pg_dump writes SET default_tablespace per object likewise). Not when
    /// the tablespace is the target database's default: the object lands there anyway, and PostgreSQL refuses to name a
    /// database's default tablespace for a partitioned table or index.
    /// </summary>
    private static SchemaObject Placed(SchemaObject item, LogicalRestoreOptions options, string? targetTablespace) =>
        item.Tablespace is null || options.NoTablespaces || item.Tablespace == targetTablespace ? item
            : item with { Sql = $"SET LOCAL default_tablespace = {SqlText.Identifier(item.Tablespace)};\n{item.Sql}" };

    /// <summary>The name of the connected database's default tablespace.</summary>
    private static async Task<string?> DefaultTablespaceAsync(PgConnection connection, CancellationToken cancellationToken) =>
        (await connection.QueryTextAsync("SELECT t.spcname FROM pg_catalog.pg_database d JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace " +
            "WHERE d.datname = pg_catalog.current_database()", cancellationToken).ConfigureAwait(false)).Scalar;

    /// <summary>Per-role settings (ALTER ROLE ... IN DATABASE ... SET) left out with <see cref="LogicalRestoreOptions.NoRoleSettings"/>.</summary>
    private static bool IsRoleSetting(SchemaObject item) => item.Kind == "database role setting";

    /// <summary>The ways on when <paramref name="what"/> (a tablespace the restore would create something in) is not on the target.</summary>
    private static string MissingTablespaceHint(string what) =>
        $"; hint: {what} is not on the target server: restore the backup's tablespaces with --globals (a backup taken with --globals), " +
        "create it, or restore without tablespaces (--no-tablespaces)";

    /// <summary>42704 undefined_object on a statement naming a role or a tablespace: say which global is missing and the ways out.</summary>
    private static string MissingGlobalHint(SchemaObject item, PgServerException error)
    {
        if (error.SqlState != "42704")
            return "";
        if (item.Tablespace is not null && error.Message.Contains("tablespace", StringComparison.OrdinalIgnoreCase))
        {
            return MissingTablespaceHint($"tablespace {item.Tablespace}");
        }
        if (!error.Message.Contains("role", StringComparison.OrdinalIgnoreCase))
            return "";
        string skip = IsRoleSetting(item) ? "--no-role-settings" : item.Kind.EndsWith("owner", StringComparison.Ordinal) ? "--no-owner"
            : item.Kind.Contains("acl", StringComparison.Ordinal) || item.Kind == "default privileges" ? "--no-privileges" : "";
        return "; hint: the role is not on the target server: restore the backup's roles with --globals (a backup taken with --globals), " +
            "create the role" + (skip.Length > 0 ? $", or leave such statements out with {skip}" : "");
    }
}
