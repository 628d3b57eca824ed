namespace Pgark.Logical.Schema;

// Foreign data wrappers, servers, user mappings and foreign tables' column options (the tables themselves are read with
// the other tables); operators; text search dictionaries and configurations (templates and parsers need C functions, so
// they come from extensions, never from a dump).
internal sealed partial class SchemaExtractor
{
    /// <summary>" OPTIONS (name 'value', ...)" from a generic options array, or "".</summary>
    internal static string FdwOptions(string options) =>
        $"coalesce(' OPTIONS (' || (SELECT pg_catalog.string_agg(pg_catalog.format('%I %L', o.option_name, o.option_value), ', ') " +
        $"FROM pg_catalog.pg_options_to_table({options}) o) || ')', '')";

    private async Task ReadForeignDataAsync(CancellationToken cancellationToken)
    {
        string wrappers = $"""
            SELECT w.oid, w.fdwname, pg_catalog.format('CREATE FOREIGN DATA WRAPPER %I', w.fdwname) ||
              CASE WHEN w.fdwhandler <> 0 THEN ' HANDLER ' || w.fdwhandler::pg_catalog.regproc::text ELSE '' END ||
              CASE WHEN w.fdwvalidator <> 0 THEN ' VALIDATOR ' || w.fdwvalidator::pg_catalog.regproc::text ELSE '' END || {FdwOptions("w.fdwoptions")}
            FROM pg_catalog.pg_foreign_data_wrapper w WHERE {CatalogRows.NotExtensionMember("pg_foreign_data_wrapper", "w.oid")} ORDER BY w.oid
            """;
        foreach (var row in await RowsAsync(wrappers, cancellationToken).ConfigureAwait(false))
            Add("fdw" + row[0], RankForeign, row[0], new SchemaObject("foreign data wrapper", "", row[1]!, SchemaSection.PreData, row[2]!));
        string servers = $"""
            SELECT s.oid, s.srvname, pg_catalog.format('CREATE SERVER %I', s.srvname) || coalesce(' TYPE ' || pg_catalog.quote_literal(s.srvtype), '') ||
              coalesce(' VERSION ' || pg_catalog.quote_literal(s.srvversion), '') ||
              pg_catalog.format(' FOREIGN DATA WRAPPER %I', w.fdwname) || {FdwOptions("s.srvoptions")}, w.oid
            FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
            WHERE {CatalogRows.NotExtensionMember("pg_foreign_server", "s.oid")} ORDER BY s.oid
            """;
        foreach (var row in await RowsAsync(servers, cancellationToken).ConfigureAwait(false))
            Add("srv" + row[0], RankForeign, row[0], new SchemaObject("server", "", row[1]!, SchemaSection.PreData, row[2]!)).Needs.Add("fdw" + row[3]);
        // pg_user_mappings shows the options only to those allowed to see them (the server's owner, the mapped role, superusers).
        string mappings = $"""
            SELECT u.umid, u.srvname, pg_catalog.format('CREATE USER MAPPING FOR %s SERVER %I', CASE WHEN u.umuser = 0 THEN 'PUBLIC'
                ELSE pg_catalog.quote_ident(u.usename) END, u.srvname) || {FdwOptions("u.umoptions")}, u.srvid
            FROM pg_catalog.pg_user_mappings u ORDER BY u.umid
            """;
        foreach (var row in await RowsAsync(mappings, cancellationToken).ConfigureAwait(false))
            Add("um" + row[0], RankForeign, row[0], new SchemaObject("user mapping", "", row[1]!, SchemaSection.PreData, row[2]!)).Needs.Add("srv" + row[3]);
        string columns = $"""
            SELECT c.oid, n.nspname, c.relname, pg_catalog.format('ALTER FOREIGN TABLE %I.%I ALTER COLUMN %I', n.nspname, c.relname, a.attname) ||
              {FdwOptions("a.attfdwoptions")}, pg_catalog.format('%I.%I', n.nspname, c.relname)
            FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'f' AND a.attfdwoptions IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND {CatalogRows.UserSchema("n")}
            ORDER BY c.oid, a.attnum
            """;
        foreach (var row in await RowsAsync(columns, cancellationToken).ConfigureAwait(false))
        {
            Add("fco" + row[0] + "." + _entries.Count, RankTableExtra, row[0], new SchemaObject("foreign column options", row[1]!, row[2]!,
                SchemaSection.PreData, row[3]!, row[4])).Needs.Add("c" + row[0]);
        }
    }

    private async Task ReadOperatorsAsync(CancellationToken cancellationToken)
    {
        static string Reference(string column, string name) =>
            $"CASE WHEN o.{column} <> 0 THEN (SELECT pg_catalog.format(', {name} = OPERATOR(%I.%s)', rn.nspname, r.oprname) " +
            $"FROM pg_catalog.pg_operator r JOIN pg_catalog.pg_namespace rn ON rn.oid = r.oprnamespace WHERE r.oid = o.{column}) ELSE '' END";
        string sql = $"""
            SELECT o.oid, n.nspname, o.oprname, pg_catalog.format('CREATE OPERATOR %I.%s (FUNCTION = %s', n.nspname, o.oprname, o.oprcode::pg_catalog.regproc::text) ||
              CASE WHEN o.oprleft <> 0 THEN ', LEFTARG = ' || pg_catalog.format_type(o.oprleft, NULL) ELSE '' END ||
              -- No right argument: a postfix operator (13 only; 14 removed them, so such a definition fails there, naming the operator).
              CASE WHEN o.oprright <> 0 THEN ', RIGHTARG = ' || pg_catalog.format_type(o.oprright, NULL) ELSE '' END ||
              {Reference("oprcom", "COMMUTATOR")} || {Reference("oprnegate", "NEGATOR")} ||
              CASE WHEN o.oprrest <> 0 THEN ', RESTRICT = ' || o.oprrest::pg_catalog.regproc::text ELSE '' END ||
              CASE WHEN o.oprjoin <> 0 THEN ', JOIN = ' || o.oprjoin::pg_catalog.regproc::text ELSE '' END ||
              CASE WHEN o.oprcanhash THEN ', HASHES' ELSE '' END || CASE WHEN o.oprcanmerge THEN ', MERGES' ELSE '' END || ')'
            FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
            WHERE {CatalogRows.UserSchema("n")} AND o.oprcode <> 0 AND {CatalogRows.NotExtensionMember("pg_operator", "o.oid")}
            ORDER BY o.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
            Add("opr" + row[0], RankOperator, row[0], new SchemaObject("operator", row[1]!, row[2]!, SchemaSection.PreData, row[3]!));
    }

    private async Task ReadTextSearchAsync(CancellationToken cancellationToken)
    {
        string dictionaries = $"""
            SELECT d.oid, n.nspname, d.dictname, pg_catalog.format('CREATE TEXT SEARCH DICTIONARY %I.%I (TEMPLATE = %I.%I', n.nspname, d.dictname,
                tn.nspname, t.tmplname) || coalesce(', ' || d.dictinitoption, '') || ')'
            FROM pg_catalog.pg_ts_dict d JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace
            JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace
            WHERE {CatalogRows.UserSchema("n")} AND {CatalogRows.NotExtensionMember("pg_ts_dict", "d.oid")}
            ORDER BY d.oid
            """;
        foreach (var row in await RowsAsync(dictionaries, cancellationToken).ConfigureAwait(false))
            Add("tsd" + row[0], RankTextSearch, row[0], new SchemaObject("text search dictionary", row[1]!, row[2]!, SchemaSection.PreData, row[3]!));
        // A configuration: its parser, then one ADD MAPPING per token type with the dictionaries in order (one multi-statement object).
        string configurations = $"""
            SELECT c.oid, n.nspname, c.cfgname, pg_catalog.format('CREATE TEXT SEARCH CONFIGURATION %I.%I (PARSER = %I.%I)', n.nspname, c.cfgname,
                pn.nspname, p.prsname) ||
              coalesce((SELECT pg_catalog.string_agg(pg_catalog.format(E';\nALTER TEXT SEARCH CONFIGURATION %I.%I ADD MAPPING FOR %s WITH %s',
                  n.nspname, c.cfgname, tt.alias, m.dicts), '' ORDER BY m.maptokentype)
                FROM (SELECT mm.maptokentype, pg_catalog.string_agg(pg_catalog.format('%I.%I', dn.nspname, dd.dictname), ', ' ORDER BY mm.mapseqno) AS dicts
                  FROM pg_catalog.pg_ts_config_map mm JOIN pg_catalog.pg_ts_dict dd ON dd.oid = mm.mapdict
                  JOIN pg_catalog.pg_namespace dn ON dn.oid = dd.dictnamespace WHERE mm.mapcfg = c.oid GROUP BY mm.maptokentype) m
                JOIN pg_catalog.ts_token_type(c.cfgparser) tt ON tt.tokid = m.maptokentype), '')
            FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace
            JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace
            WHERE {CatalogRows.UserSchema("n")} AND {CatalogRows.NotExtensionMember("pg_ts_config", "c.oid")}
            ORDER BY c.oid
            """;
        foreach (var row in await RowsAsync(configurations, cancellationToken).ConfigureAwait(false))
            Add("tsc" + row[0], RankTextSearch, row[0], new SchemaObject("text search configuration", row[1]!, row[2]!, SchemaSection.PreData, row[3]!));
    }
}
