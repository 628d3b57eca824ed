namespace Pgark.Logical.Schema;

// Ownership (ALTER ... OWNER TO) and privileges (GRANT/REVOKE rebuilt from the ACL arrays), column privileges and
// default privileges. Restore can skip them (--no-owner, --no-privileges); kinds "owner", "acl", "default privileges".
internal sealed partial class SchemaExtractor
{
    /// <summary>
    /// Every ownable catalog row: its key (as the extractors name it), how ALTER/COMMENT name it, how GRANT names it, its
    /// owner and ACL. Only rows whose key was extracted are used, so the union may over-select.
    /// </summary>
    private const string Ownables = """
        SELECT 'n' || n.oid AS key, pg_catalog.format('SCHEMA %I', n.nspname) AS alter_name, pg_catalog.format('SCHEMA %I', n.nspname) AS grant_name,
          n.nspowner AS owner, n.nspacl AS acl FROM pg_catalog.pg_namespace n
        UNION ALL
        SELECT 'c' || c.oid, CASE c.relkind WHEN 'v' THEN 'VIEW ' WHEN 'm' THEN 'MATERIALIZED VIEW ' WHEN 'S' THEN 'SEQUENCE '
            WHEN 'f' THEN 'FOREIGN TABLE ' ELSE 'TABLE ' END || pg_catalog.format('%I.%I', cn.nspname, c.relname),
          CASE c.relkind WHEN 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END || pg_catalog.format('%I.%I', cn.nspname, c.relname), c.relowner, c.relacl
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        UNION ALL
        SELECT 'p' || p.oid, CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' WHEN 'a' THEN 'AGGREGATE ' ELSE 'FUNCTION ' END ||
            pg_catalog.format('%I.%I(%s)', pn.nspname, p.proname, CASE WHEN p.prokind = 'a' AND p.pronargs = 0 THEN '*'
              ELSE pg_catalog.pg_get_function_identity_arguments(p.oid) END),
          CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END ||
            pg_catalog.format('%I.%I(%s)', pn.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)), p.proowner, p.proacl
        FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
        UNION ALL
        SELECT 't' || t.oid, CASE WHEN t.typtype = 'd' THEN 'DOMAIN ' ELSE 'TYPE ' END || pg_catalog.format('%I.%I', tn.nspname, t.typname),
          CASE WHEN t.typtype = 'd' THEN 'DOMAIN ' ELSE 'TYPE ' END || pg_catalog.format('%I.%I', tn.nspname, t.typname), t.typowner, t.typacl
        FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
        UNION ALL
        SELECT 'l' || m.oid, 'LARGE OBJECT ' || m.oid, 'LARGE OBJECT ' || m.oid, m.lomowner, m.lomacl FROM pg_catalog.pg_largeobject_metadata m
        UNION ALL
        SELECT 'coll' || c.oid, pg_catalog.format('COLLATION %I.%I', n.nspname, c.collname), NULL, c.collowner, NULL
        FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
        UNION ALL
        SELECT 'stx' || s.oid, pg_catalog.format('STATISTICS %I.%I', n.nspname, s.stxname), NULL, s.stxowner, NULL
        FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
        UNION ALL
        SELECT 'pub' || p.oid, pg_catalog.format('PUBLICATION %I', p.pubname), NULL, p.pubowner, NULL FROM pg_catalog.pg_publication p
        UNION ALL
        SELECT 'sub' || s.oid, pg_catalog.format('SUBSCRIPTION %I', s.subname), NULL, s.subowner, NULL FROM pg_catalog.pg_subscription s
        UNION ALL
        SELECT 'evt' || e.oid, pg_catalog.format('EVENT TRIGGER %I', e.evtname), NULL, e.evtowner, NULL FROM pg_catalog.pg_event_trigger e
        UNION ALL
        SELECT 'opr' || o.oid, pg_catalog.format('OPERATOR %I.%s (%s, %s)', n.nspname, o.oprname, CASE WHEN o.oprleft = 0 THEN 'NONE'
            ELSE pg_catalog.format_type(o.oprleft, NULL) END, CASE WHEN o.oprright = 0 THEN 'NONE' ELSE pg_catalog.format_type(o.oprright, NULL) END), NULL, o.oprowner, NULL
        FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
        UNION ALL
        SELECT 'tsd' || t.oid, pg_catalog.format('TEXT SEARCH DICTIONARY %I.%I', n.nspname, t.dictname), NULL, t.dictowner, NULL
        FROM pg_catalog.pg_ts_dict t JOIN pg_catalog.pg_namespace n ON n.oid = t.dictnamespace
        UNION ALL
        SELECT 'tsc' || t.oid, pg_catalog.format('TEXT SEARCH CONFIGURATION %I.%I', n.nspname, t.cfgname), NULL, t.cfgowner, NULL
        FROM pg_catalog.pg_ts_config t JOIN pg_catalog.pg_namespace n ON n.oid = t.cfgnamespace
        UNION ALL
        SELECT 'fdw' || w.oid, pg_catalog.format('FOREIGN DATA WRAPPER %I', w.fdwname), pg_catalog.format('FOREIGN DATA WRAPPER %I', w.fdwname),
          w.fdwowner, w.fdwacl FROM pg_catalog.pg_foreign_data_wrapper w
        UNION ALL
        SELECT 'srv' || s.oid, pg_catalog.format('SERVER %I', s.srvname), pg_catalog.format('FOREIGN SERVER %I', s.srvname), s.srvowner, s.srvacl
        FROM pg_catalog.pg_foreign_server s
        """;

    /// <summary>Further ownable catalogs, added by the extractors of those kinds (each a SELECT of the same five columns).</summary>
    private readonly List<string> _ownables = [Ownables];

    /// <summary>
    /// The GRANT statements rebuilding an ACL, one per grantor, grantee and grant option, in the array's own order. A grant
    /// whose grantor is not <paramref name="owner"/> (made through WITH GRANT OPTION) runs as its grantor, between
    /// <c>SET ROLE grantor</c> and <c>RESET ROLE</c>: the server records the current role as the grantor, so the restored
    /// ACL names the same grantors (pg_dump does the same with SET SESSION AUTHORIZATION).
    /// </summary>
    internal static string Grants(string acl, string onWhat, string owner, string privilegeSuffix = "''") => $"""
        (SELECT pg_catalog.string_agg(q.g, E';\n' ORDER BY q.o) FROM (
           SELECT pg_catalog.min(x.o) AS o,
             CASE WHEN x.grantor <> {owner} THEN 'SET ROLE ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantor)) || E';\n' ELSE '' END ||
             'GRANT ' || pg_catalog.string_agg(x.privilege_type || {privilegeSuffix}, ', ' ORDER BY x.o) || ' ON ' ||
             {onWhat} || ' TO ' || CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END ||
             CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END ||
             CASE WHEN x.grantor <> {owner} THEN E';\nRESET ROLE' ELSE '' END AS g
           FROM pg_catalog.aclexplode({acl}) WITH ORDINALITY x(grantor, grantee, privilege_type, is_grantable, o)
           GROUP BY x.grantor, x.grantee, x.is_grantable) q)
        """;

    private async Task ReadOwnershipAndPrivilegesAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT o.key, o.alter_name, o.grant_name, pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.owner)),
              CASE WHEN o.acl IS NOT NULL THEN {Grants("o.acl", "o.grant_name", "o.owner")} END, o.acl IS NOT NULL
            FROM ({string.Join("\nUNION ALL\n", _ownables)}) o
            """;
        var byKey = _entries.GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var owners = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            if (!byKey.TryGetValue(row[0]!, out var target))
                continue;
            var section = target.Object.Section;
            bool post = section == SchemaSection.PostData;
            var owner = Add("own" + row[0], post ? RankPostOwner : RankOwner, target.Oid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new SchemaObject("owner", target.Object.Schema, target.Object.Name, section, $"ALTER {row[1]} OWNER TO {row[3]}", target.Object.Table));
            owner.Needs.Add(target.Key);
            owners[target.Key] = owner;
            if (row[5] == "t")
            {
                // From the built-in default (owner and, for some kinds, PUBLIC) to nothing, then the array's grants in order.
                string statements = $"REVOKE ALL ON {row[2]} FROM PUBLIC;\nREVOKE ALL ON {row[2]} FROM {row[3]}" +
                    (string.IsNullOrEmpty(row[4]) ? "" : ";\n" + row[4]);
                AddAcl(target, owner, statements);
            }
        }
        // OWNED BY needs the sequence and the table to have one owner, and an owned sequence may not change hands alone:
        // link them first, then the table's owner (which the server passes on to the sequence), then the sequence's.
        foreach (var owning in _entries.Where(e => e.Object.Kind == "sequence ownership").ToList())
        {
            if (!owners.TryGetValue(owning.Needs[1], out var tableOwner))
                continue;
            tableOwner.Needs.Add(owning.Key);
            if (owners.TryGetValue(owning.Needs[0], out var sequenceOwner))
                sequenceOwner.Needs.Add(tableOwner.Key);
        }
        await ReadColumnPrivilegesAsync(byKey, owners, cancellationToken).ConfigureAwait(false);
        await ReadDefaultPrivilegesAsync(cancellationToken).ConfigureAwait(false);
    }

    private void AddAcl(Entry target, Entry owner, string statements)
    {
        bool post = target.Object.Section == SchemaSection.PostData;
        var acl = Add("acl" + target.Key + "." + _entries.Count, post ? RankPostAcl : RankAcl, owner.Oid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new SchemaObject("acl", target.Object.Schema, target.Object.Name, target.Object.Section, statements, target.Object.Table));
        acl.Needs.Add(owner.Key);
    }

    private async Task ReadColumnPrivilegesAsync(Dictionary<string, Entry> byKey, Dictionary<string, Entry> owners, CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT 'c' || a.attrelid, {Grants("a.attacl", "pg_catalog.format('TABLE %I.%I', n.nspname, c.relname)", "c.relowner",
                "pg_catalog.format(' (%I)', a.attname)")}
            FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attrelid, a.attnum
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            if (!string.IsNullOrEmpty(row[1]) && byKey.TryGetValue(row[0]!, out var target) && owners.TryGetValue(target.Key, out var owner))
                AddAcl(target, owner, row[1]!);
        }
    }

    /// <summary>
    /// ALTER DEFAULT PRIVILEGES, restored last so they shape only objects created after the restore. A database-wide entry
    /// replaces the built-in default (so it starts by revoking it); a schema's entry only adds to it.
    /// </summary>
    private async Task ReadDefaultPrivilegesAsync(CancellationToken cancellationToken)
    {
        string objects = "CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' " +
            "WHEN 'n' THEN 'SCHEMAS' END";
        string sql = $"""
            SELECT d.oid, coalesce(n.nspname, ''), d.defaclnamespace,
              'ALTER DEFAULT PRIVILEGES FOR ROLE ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(d.defaclrole)) ||
                coalesce(' IN SCHEMA ' || pg_catalog.quote_ident(n.nspname), '') || ' ',
              {objects}, pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(d.defaclrole)), {Grants("d.defaclacl", objects, "d.defaclrole")}
            FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
            ORDER BY d.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            string prefix = row[3]!;
            var statements = new List<string>();
            if (row[2] == "0")
            {
                statements.Add($"{prefix}REVOKE ALL ON {row[4]} FROM PUBLIC");
                statements.Add($"{prefix}REVOKE ALL ON {row[4]} FROM {row[5]}");
            }
            if (!string.IsNullOrEmpty(row[6]))
                statements.AddRange(row[6]!.Split(";\n").Select(grant => prefix + grant));
            var entry = Add("dacl" + row[0], RankDefaultPrivileges, row[0], new SchemaObject("default privileges", row[1]!, row[4]!,
                SchemaSection.PostData, string.Join(";\n", statements)));
            if (row[2] != "0")
                entry.Needs.Add("n" + row[2]);
        }
    }
}
