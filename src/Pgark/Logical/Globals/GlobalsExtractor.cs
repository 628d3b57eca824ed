using Pgark.Logical.Schema;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Globals;

/// <summary>
/// The cluster-wide objects a database's restore may need (<c>--globals</c>): roles with their attributes, settings,
/// comments and memberships, and tablespaces with their options, privileges and comments, in restore order. Built-in
/// roles (pg_*) and the bootstrap superuser are left out: every cluster has them. Passwords come from pg_authid, which
/// only a superuser may read; without it the roles are read from pg_roles without passwords and a warning says so.
/// </summary>
internal sealed class GlobalsExtractor
{
    private readonly PgConnection _connection;
    private readonly int _version;
    private readonly List<SchemaObject> _objects = [];

    private GlobalsExtractor(PgConnection connection, int version) => (_connection, _version) = (connection, version);

    public static async Task<(IReadOnlyList<SchemaObject> Objects, IReadOnlyList<string> Warnings)> ExtractAsync(PgConnection connection,
        int serverVersion, bool passwords, CancellationToken cancellationToken)
    {
        var extractor = new GlobalsExtractor(connection, serverVersion);
        var warnings = new List<string>();
        string catalog = "pg_roles";
        if (passwords)
        {
            if (await extractor.CanReadAuthIdAsync(cancellationToken).ConfigureAwait(false))
            {
                catalog = "pg_authid";
            }
            else
            {
                warnings.Add("role passwords were not backed up: reading pg_authid needs a superuser; the roles come from pg_roles " +
                    "without passwords (hint: run the backup as a superuser, or set the passwords again after restoring)");
            }
        }
        await extractor.ReadRolesAsync(catalog, cancellationToken).ConfigureAwait(false);
        await extractor.ReadRoleSettingsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadMembershipsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadTablespacesAsync(cancellationToken).ConfigureAwait(false);
        return (extractor._objects, warnings);
    }

    private Task<List<string?[]>> RowsAsync(string sql, CancellationToken cancellationToken) => CatalogRows.ReadAsync(_connection, sql, cancellationToken);

    private void Add(string kind, string name, string sql) => _objects.Add(new SchemaObject(kind, "", name, SchemaSection.PreData, sql));

    /// <summary>A privilege check, not a try: a failed SELECT would abort the snapshot's transaction.</summary>
    private async Task<bool> CanReadAuthIdAsync(CancellationToken cancellationToken) =>
        (await _connection.QueryTextAsync("SELECT pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT')", cancellationToken)
            .ConfigureAwait(false)).Scalar == "t";

    private const string UserRole = "r.rolname !~ '^pg_' AND r.oid <> 10";

    private async Task ReadRolesAsync(string catalog, CancellationToken cancellationToken)
    {
        string password = catalog == "pg_authid" ? "coalesce(' PASSWORD ' || pg_catalog.quote_literal(r.rolpassword), '')" : "''";
        string sql = $"""
            SELECT r.rolname, pg_catalog.quote_ident(r.rolname),
              'ALTER ROLE ' || pg_catalog.quote_ident(r.rolname) || ' WITH ' ||
                CASE WHEN r.rolsuper THEN 'SUPERUSER' ELSE 'NOSUPERUSER' END || CASE WHEN r.rolinherit THEN ' INHERIT' ELSE ' NOINHERIT' END ||
                CASE WHEN r.rolcreaterole THEN ' CREATEROLE' ELSE ' NOCREATEROLE' END || CASE WHEN r.rolcreatedb THEN ' CREATEDB' ELSE ' NOCREATEDB' END ||
                CASE WHEN r.rolcanlogin THEN ' LOGIN' ELSE ' NOLOGIN' END || CASE WHEN r.rolreplication THEN ' REPLICATION' ELSE ' NOREPLICATION' END ||
                CASE WHEN r.rolbypassrls THEN ' BYPASSRLS' ELSE ' NOBYPASSRLS' END || ' CONNECTION LIMIT ' || r.rolconnlimit ||
                {password} || coalesce(' VALID UNTIL ' || pg_catalog.quote_literal(r.rolvaliduntil::text), ''),
              pg_catalog.quote_literal(pg_catalog.shobj_description(r.oid, 'pg_authid'))
            FROM pg_catalog.{catalog} r WHERE {UserRole} ORDER BY r.rolname
            """;
        var rows = await RowsAsync(sql, cancellationToken).ConfigureAwait(false);
        // Every role exists before any attribute, comment or membership names another.
        foreach (var row in rows)
            Add("role", row[0]!, $"CREATE ROLE {row[1]}");
        foreach (var row in rows)
        {
            Add("role attributes", row[0]!, row[2]!);
            if (row[3] is not null)
                Add("comment", row[0]!, $"COMMENT ON ROLE {row[1]} IS {row[3]}");
        }
    }

    /// <summary>ALTER ROLE ... SET for settings of a role in every database (per-database ones go with database settings, not dumped).</summary>
    private async Task ReadRoleSettingsAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT r.rolname, pg_catalog.quote_ident(r.rolname), c.setting
            FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole,
              LATERAL pg_catalog.unnest(s.setconfig) WITH ORDINALITY c(setting, n)
            WHERE s.setdatabase = 0 AND {UserRole} ORDER BY r.rolname, c.n
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            string setting = row[2]!;
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            Add("role setting", row[0]!, $"ALTER ROLE {row[1]} SET {SqlText.Identifier(setting[..equals])} TO {SettingValue.ToSql(setting[..equals], setting[(equals + 1)..])}");
        }
    }

    /// <summary>
    /// GRANT role TO member (built-in roles granted to user roles included); PostgreSQL 16 added the INHERIT and SET options of
    /// each membership. The grantor is not kept: the restoring role grants.
    /// </summary>
    private async Task ReadMembershipsAsync(CancellationToken cancellationToken)
    {
        string options = _version >= 160000
            ? "' WITH ADMIN ' || a.admin_option::text || ', INHERIT ' || a.inherit_option::text || ', SET ' || a.set_option::text"
            : "CASE WHEN a.admin_option THEN ' WITH ADMIN OPTION' ELSE '' END";
        string sql = $"""
            SELECT g.rolname, 'GRANT ' || pg_catalog.quote_ident(g.rolname) || ' TO ' || pg_catalog.quote_ident(r.rolname) || {options}
            FROM pg_catalog.pg_auth_members a JOIN pg_catalog.pg_roles g ON g.oid = a.roleid JOIN pg_catalog.pg_roles r ON r.oid = a.member
            WHERE {UserRole}
            ORDER BY g.rolname, r.rolname
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
            Add("role membership", row[0]!, row[1]!);
    }

    private async Task ReadTablespacesAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT t.spcname, pg_catalog.format('CREATE TABLESPACE %I OWNER %I LOCATION %L', t.spcname, pg_catalog.pg_get_userbyid(t.spcowner),
                pg_catalog.pg_tablespace_location(t.oid)),
              pg_catalog.format('ALTER TABLESPACE %I SET (%s)', t.spcname, pg_catalog.array_to_string(t.spcoptions, ', ')), t.spcoptions IS NOT NULL,
              pg_catalog.format('COMMENT ON TABLESPACE %I IS %L', t.spcname, pg_catalog.shobj_description(t.oid, 'pg_tablespace')),
              pg_catalog.shobj_description(t.oid, 'pg_tablespace') IS NOT NULL,
              CASE WHEN t.spcacl IS NOT NULL THEN pg_catalog.format('REVOKE ALL ON TABLESPACE %I FROM PUBLIC;%sREVOKE ALL ON TABLESPACE %I FROM %I',
                t.spcname, E'\n', t.spcname, pg_catalog.pg_get_userbyid(t.spcowner)) ||
                coalesce(E';\n' || {SchemaExtractor.Grants("t.spcacl", "pg_catalog.format('TABLESPACE %I', t.spcname)", "t.spcowner")}, '') END
            FROM pg_catalog.pg_tablespace t WHERE t.spcname NOT IN ('pg_default', 'pg_global')
            ORDER BY t.spcname
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            Add("tablespace", row[0]!, row[1]!);
            if (row[3] == "t")
                Add("tablespace options", row[0]!, row[2]!);
            if (row[5] == "t")
                Add("comment", row[0]!, row[4]!);
            if (row[6] is not null)
                Add("acl", row[0]!, row[6]!);
        }
    }
}
