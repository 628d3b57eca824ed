using System.Globalization;
using Pgark.Logical.Globals;

namespace Pgark.Logical.Schema;

// The database's own properties (owner, comment, connection limit, template flag, ACL) from pg_database, and its settings
// (ALTER DATABASE ... SET) and per-database role settings (ALTER ROLE ... IN DATABASE ... SET) from pg_db_role_setting; the
// columns read are the same in 13 through 18. Each statement names the database by DatabasePlaceholder.Marker. Like
// pg_dump, which prints them only with --create, the restore applies them only to a database it creates.
internal sealed partial class SchemaExtractor
{
    /// <summary>
    /// The "table" of the database's properties and settings, so a --table restore (often into a database that is not a
    /// copy of the source) leaves them out; never a real table's name, which is always schema-qualified.
    /// </summary>
    public const string DatabaseTable = "(database)";

    /// <summary>
    /// After everything else: a setting applies to sessions opened later, so one like default_transaction_read_only or
    /// search_path must not reach the restore's own COPY workers; a connection limit or a revoked CONNECT must not keep them out.
    /// </summary>
    private const int RankDatabase = 60;

    private const string Database = DatabasePlaceholder.Marker;

    private int _databaseObjects;

    private void AddDatabaseObject(string kind, string name, string sql) =>
        Add("db" + _databaseObjects.ToString(CultureInfo.InvariantCulture), RankDatabase, (_databaseObjects++).ToString(CultureInfo.InvariantCulture),
            new SchemaObject(kind, "", name, SchemaSection.PostData, sql, DatabaseTable));

    private async Task ReadDatabaseAsync(CancellationToken cancellationToken)
    {
        await ReadDatabasePropertiesAsync(cancellationToken).ConfigureAwait(false);
        await ReadDatabaseSettingsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Owner first (it rewrites the ACL's owner entries), then comment, connection limit, template flag and the ACL.</summary>
    private async Task ReadDatabasePropertiesAsync(CancellationToken cancellationToken)
    {
        // The ACL's GRANTs are built by the server; a random token stands for the database there and becomes the marker here.
        string token = "pgark_database_" + Guid.NewGuid().ToString("N");
        string sql = $"""
            SELECT d.datname, pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(d.datdba)),
              pg_catalog.quote_literal(pg_catalog.shobj_description(d.oid, 'pg_database')), d.datconnlimit, d.datistemplate, d.datacl IS NOT NULL,
              {Grants("d.datacl", SqlText.Literal("DATABASE " + token), "d.datdba")}
            FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
            """;
        var row = (await RowsAsync(sql, cancellationToken).ConfigureAwait(false)).Single();
        string name = row[0]!, owner = row[1]!;
        AddDatabaseObject("database owner", name, $"ALTER DATABASE {Database} OWNER TO {owner}");
        if (row[2] is not null)
            AddDatabaseObject("database comment", name, $"COMMENT ON DATABASE {Database} IS {row[2]}");
        if (row[3] != "-1")
            AddDatabaseObject("database connection limit", name, $"ALTER DATABASE {Database} CONNECTION LIMIT {row[3]}");
        if (row[4] == "t")
            AddDatabaseObject("database template", name, $"ALTER DATABASE {Database} IS_TEMPLATE true");
        if (row[5] == "t")
        {
            // From the built-in default (CONNECT and TEMPORARY for PUBLIC, everything for the owner) to nothing, then the grants.
            string grants = string.IsNullOrEmpty(row[6]) ? "" : ";\n" + row[6]!.Replace(token, Database, StringComparison.Ordinal);
            AddDatabaseObject("database acl", name,
                $"REVOKE ALL ON DATABASE {Database} FROM PUBLIC;\nREVOKE ALL ON DATABASE {Database} FROM {owner}{grants}");
        }
    }

    private async Task ReadDatabaseSettingsAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT s.setrole, r.rolname, c.setting
            FROM pg_catalog.pg_db_role_setting s
              JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase AND d.datname = pg_catalog.current_database()
              LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole,
              LATERAL pg_catalog.unnest(s.setconfig) WITH ORDINALITY c(setting, n)
            ORDER BY s.setrole <> 0, r.rolname, c.n
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            if (row[0] != "0" && row[1] is null)
                continue; // a setting of a dropped role's leftover row (pg_db_role_setting has no foreign key): nothing to restore
            string setting = row[2]!;
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            string name = setting[..equals];
            string assignment = $"SET {SqlText.Identifier(name)} TO {SettingValue.ToSql(name, setting[(equals + 1)..])}";
            if (row[0] == "0")
                AddDatabaseObject("database setting", name, $"ALTER DATABASE {Database} {assignment}");
            else
                AddDatabaseObject("database role setting", $"{row[1]} {name}", $"ALTER ROLE {SqlText.Identifier(row[1]!)} IN DATABASE {Database} {assignment}");
        }
    }
}
