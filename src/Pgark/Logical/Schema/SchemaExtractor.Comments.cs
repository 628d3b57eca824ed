namespace Pgark.Logical.Schema;

// COMMENT ON for the objects extracted above, and the pg_depend edges that order them.
internal sealed partial class SchemaExtractor
{
    private const string Reg = "'pg_catalog.{0}'::pg_catalog.regclass";

    private static string Catalog(string name) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Reg, name);

    private async Task ReadCommentsAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT d.objoid, pg_catalog.quote_literal(d.description),
              CASE d.classoid
                WHEN {Catalog("pg_namespace")} THEN (SELECT pg_catalog.format('SCHEMA %I', s.nspname) FROM pg_catalog.pg_namespace s WHERE s.oid = d.objoid)
                WHEN {Catalog("pg_class")} THEN (SELECT CASE WHEN d.objsubid <> 0
                    THEN pg_catalog.format('COLUMN %I.%I.%I', cn.nspname, c.relname, (SELECT a.attname FROM pg_catalog.pg_attribute a
                      WHERE a.attrelid = c.oid AND a.attnum = d.objsubid))
                    ELSE CASE c.relkind WHEN 'v' THEN 'VIEW ' WHEN 'm' THEN 'MATERIALIZED VIEW ' WHEN 'S' THEN 'SEQUENCE '
                      WHEN 'i' THEN 'INDEX ' WHEN 'I' THEN 'INDEX ' WHEN 'f' THEN 'FOREIGN TABLE ' ELSE 'TABLE ' END || pg_catalog.format('%I.%I', cn.nspname, c.relname) END
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace WHERE c.oid = d.objoid)
                WHEN {Catalog("pg_type")} THEN (SELECT CASE WHEN t.typtype = 'd' THEN 'DOMAIN ' ELSE 'TYPE ' END ||
                    pg_catalog.format('%I.%I', tn.nspname, t.typname)
                  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace WHERE t.oid = d.objoid)
                WHEN {Catalog("pg_proc")} THEN (SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' WHEN 'a' THEN 'AGGREGATE ' ELSE 'FUNCTION ' END ||
                    pg_catalog.format('%I.%I(%s)', pn.nspname, p.proname, CASE WHEN p.prokind = 'a' AND p.pronargs = 0 THEN '*'
                      ELSE pg_catalog.pg_get_function_identity_arguments(p.oid) END)
                  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = d.objoid)
                WHEN {Catalog("pg_constraint")} THEN (SELECT pg_catalog.format('CONSTRAINT %I ON ', co.conname) ||
                    CASE WHEN co.contypid <> 0 THEN 'DOMAIN ' || co.contypid::pg_catalog.regtype::text ELSE co.conrelid::pg_catalog.regclass::text END
                  FROM pg_catalog.pg_constraint co WHERE co.oid = d.objoid)
                WHEN {Catalog("pg_trigger")} THEN (SELECT pg_catalog.format('TRIGGER %I ON ', tg.tgname) || tg.tgrelid::pg_catalog.regclass::text
                  FROM pg_catalog.pg_trigger tg WHERE tg.oid = d.objoid)
                WHEN {Catalog("pg_policy")} THEN (SELECT pg_catalog.format('POLICY %I ON ', po.polname) || po.polrelid::pg_catalog.regclass::text
                  FROM pg_catalog.pg_policy po WHERE po.oid = d.objoid)
                WHEN {Catalog("pg_largeobject")} THEN 'LARGE OBJECT ' || d.objoid
                WHEN {Catalog("pg_collation")} THEN (SELECT pg_catalog.format('COLLATION %I.%I', cn.nspname, co.collname)
                  FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = d.objoid)
                WHEN {Catalog("pg_cast")} THEN (SELECT pg_catalog.format('CAST (%s AS %s)', pg_catalog.format_type(ca.castsource, NULL),
                  pg_catalog.format_type(ca.casttarget, NULL)) FROM pg_catalog.pg_cast ca WHERE ca.oid = d.objoid)
                WHEN {Catalog("pg_statistic_ext")} THEN (SELECT pg_catalog.format('STATISTICS %I.%I', sn.nspname, st.stxname)
                  FROM pg_catalog.pg_statistic_ext st JOIN pg_catalog.pg_namespace sn ON sn.oid = st.stxnamespace WHERE st.oid = d.objoid)
                WHEN {Catalog("pg_publication")} THEN (SELECT pg_catalog.format('PUBLICATION %I', pu.pubname) FROM pg_catalog.pg_publication pu
                  WHERE pu.oid = d.objoid)
                WHEN {Catalog("pg_operator")} THEN (SELECT pg_catalog.format('OPERATOR %I.%s (%s, %s)', opn.nspname, op.oprname,
                    CASE WHEN op.oprleft = 0 THEN 'NONE' ELSE pg_catalog.format_type(op.oprleft, NULL) END, CASE WHEN op.oprright = 0 THEN 'NONE' ELSE pg_catalog.format_type(op.oprright, NULL) END)
                  FROM pg_catalog.pg_operator op JOIN pg_catalog.pg_namespace opn ON opn.oid = op.oprnamespace WHERE op.oid = d.objoid)
                WHEN {Catalog("pg_ts_dict")} THEN (SELECT pg_catalog.format('TEXT SEARCH DICTIONARY %I.%I', tdn.nspname, td.dictname)
                  FROM pg_catalog.pg_ts_dict td JOIN pg_catalog.pg_namespace tdn ON tdn.oid = td.dictnamespace WHERE td.oid = d.objoid)
                WHEN {Catalog("pg_ts_config")} THEN (SELECT pg_catalog.format('TEXT SEARCH CONFIGURATION %I.%I', tcn.nspname, tcf.cfgname)
                  FROM pg_catalog.pg_ts_config tcf JOIN pg_catalog.pg_namespace tcn ON tcn.oid = tcf.cfgnamespace WHERE tcf.oid = d.objoid)
                WHEN {Catalog("pg_foreign_data_wrapper")} THEN (SELECT pg_catalog.format('FOREIGN DATA WRAPPER %I', w.fdwname)
                  FROM pg_catalog.pg_foreign_data_wrapper w WHERE w.oid = d.objoid)
                WHEN {Catalog("pg_foreign_server")} THEN (SELECT pg_catalog.format('SERVER %I', fsv.srvname)
                  FROM pg_catalog.pg_foreign_server fsv WHERE fsv.oid = d.objoid)
                WHEN {Catalog("pg_event_trigger")} THEN (SELECT pg_catalog.format('EVENT TRIGGER %I', ev.evtname) FROM pg_catalog.pg_event_trigger ev
                  WHERE ev.oid = d.objoid)
                WHEN {Catalog("pg_opclass")} THEN (SELECT pg_catalog.format('OPERATOR CLASS %I.%I USING %I', ocn.nspname, oc.opcname, oca.amname)
                  FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace
                    JOIN pg_catalog.pg_am oca ON oca.oid = oc.opcmethod WHERE oc.oid = d.objoid)
                WHEN {Catalog("pg_opfamily")} THEN (SELECT pg_catalog.format('OPERATOR FAMILY %I.%I USING %I', ofn.nspname, ofa.opfname, ofm.amname)
                  FROM pg_catalog.pg_opfamily ofa JOIN pg_catalog.pg_namespace ofn ON ofn.oid = ofa.opfnamespace
                    JOIN pg_catalog.pg_am ofm ON ofm.oid = ofa.opfmethod WHERE ofa.oid = d.objoid)
              END,
              CASE d.classoid
                WHEN {Catalog("pg_namespace")} THEN 'n' WHEN {Catalog("pg_class")} THEN 'c' WHEN {Catalog("pg_type")} THEN 't'
                WHEN {Catalog("pg_proc")} THEN 'p' WHEN {Catalog("pg_trigger")} THEN 'g' WHEN {Catalog("pg_policy")} THEN 'y' WHEN {Catalog("pg_largeobject")} THEN 'l'
                WHEN {Catalog("pg_collation")} THEN 'coll' || d.objoid WHEN {Catalog("pg_cast")} THEN 'cast' || d.objoid
                WHEN {Catalog("pg_statistic_ext")} THEN 'stx' || d.objoid WHEN {Catalog("pg_publication")} THEN 'pub' || d.objoid
                WHEN {Catalog("pg_event_trigger")} THEN 'evt' || d.objoid WHEN {Catalog("pg_operator")} THEN 'opr' || d.objoid
                WHEN {Catalog("pg_ts_dict")} THEN 'tsd' || d.objoid WHEN {Catalog("pg_ts_config")} THEN 'tsc' || d.objoid
                WHEN {Catalog("pg_foreign_data_wrapper")} THEN 'fdw' || d.objoid WHEN {Catalog("pg_foreign_server")} THEN 'srv' || d.objoid
                WHEN {Catalog("pg_opclass")} THEN 'opc' || d.objoid WHEN {Catalog("pg_opfamily")} THEN 'opf' || d.objoid
                WHEN {Catalog("pg_constraint")} THEN (SELECT CASE WHEN co.contypid <> 0 THEN 't' || co.contypid ELSE 'k' || co.oid END
                  FROM pg_catalog.pg_constraint co WHERE co.oid = d.objoid)
              END
            FROM pg_catalog.pg_description d
            WHERE d.objoid >= 16384
            ORDER BY d.classoid, d.objoid, d.objsubid
            """;
        var targets = _entries.GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        int sequence = 0;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            if (row[2] is null || row[3] is null)
                continue;
            string key = row[3]!.Length == 1 ? row[3] + row[0] : row[3]!;
            string resolved = _aliases.GetValueOrDefault(key, key);
            if (!targets.TryGetValue(resolved, out var target))
                continue; // a comment on something not dumped (extension member, system object, constraint index)
            bool post = target.Object.Section == SchemaSection.PostData;
            var comment = Add($"d{sequence++}", post ? RankPostComment : RankComment, row[0],
                new SchemaObject("comment", target.Object.Schema, row[2]!, target.Object.Section, $"COMMENT ON {row[2]} IS {row[1]}", target.Object.Table));
            comment.Needs.Add(resolved);
        }
    }

    private async Task<List<(string From, string To)>> ReadDependenciesAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT DISTINCT
              CASE d.classid
                WHEN {Catalog("pg_class")} THEN 'c' || d.objid
                WHEN {Catalog("pg_type")} THEN 't' || d.objid
                WHEN {Catalog("pg_proc")} THEN 'p' || d.objid
                WHEN {Catalog("pg_rewrite")} THEN 'c' || (SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid = d.objid)
                WHEN {Catalog("pg_attrdef")} THEN 'c' || (SELECT a.adrelid FROM pg_catalog.pg_attrdef a WHERE a.oid = d.objid)
                WHEN {Catalog("pg_constraint")} THEN (SELECT CASE WHEN co.contypid <> 0 THEN 't' || co.contypid ELSE 'k' || co.oid END
                  FROM pg_catalog.pg_constraint co WHERE co.oid = d.objid)
                WHEN {Catalog("pg_collation")} THEN 'coll' || d.objid
                WHEN {Catalog("pg_cast")} THEN 'cast' || d.objid
                WHEN {Catalog("pg_statistic_ext")} THEN 'stx' || d.objid
                WHEN {Catalog("pg_event_trigger")} THEN 'evt' || d.objid
                WHEN {Catalog("pg_operator")} THEN 'opr' || d.objid
                WHEN {Catalog("pg_opclass")} THEN 'opc' || d.objid
                WHEN {Catalog("pg_opfamily")} THEN 'opf' || d.objid
                WHEN {Catalog("pg_ts_config")} THEN 'tsc' || d.objid
                WHEN {Catalog("pg_ts_dict")} THEN 'tsd' || d.objid
                WHEN {Catalog("pg_foreign_server")} THEN 'srv' || d.objid
                WHEN {Catalog("pg_foreign_data_wrapper")} THEN 'fdw' || d.objid
              END,
              CASE d.refclassid
                WHEN {Catalog("pg_class")} THEN 'c' || d.refobjid
                WHEN {Catalog("pg_type")} THEN 't' || coalesce((SELECT et.oid FROM pg_catalog.pg_type rt
                  JOIN pg_catalog.pg_type et ON et.oid = rt.typelem AND et.typarray = rt.oid WHERE rt.oid = d.refobjid), d.refobjid)
                WHEN {Catalog("pg_proc")} THEN 'p' || d.refobjid
                WHEN {Catalog("pg_namespace")} THEN 'n' || d.refobjid
                WHEN {Catalog("pg_extension")} THEN 'x' || d.refobjid
                WHEN {Catalog("pg_constraint")} THEN 'k' || d.refobjid
                WHEN {Catalog("pg_collation")} THEN 'coll' || d.refobjid
                WHEN {Catalog("pg_operator")} THEN 'opr' || d.refobjid
                WHEN {Catalog("pg_opclass")} THEN 'opc' || d.refobjid
                WHEN {Catalog("pg_opfamily")} THEN 'opf' || d.refobjid
                WHEN {Catalog("pg_ts_config")} THEN 'tsc' || d.refobjid
                WHEN {Catalog("pg_ts_dict")} THEN 'tsd' || d.refobjid
                WHEN {Catalog("pg_foreign_server")} THEN 'srv' || d.refobjid
                WHEN {Catalog("pg_foreign_data_wrapper")} THEN 'fdw' || d.refobjid
              END
            FROM pg_catalog.pg_depend d
            WHERE d.objid >= 16384 AND d.deptype IN ('n', 'a')
              AND NOT (d.classid = {Catalog("pg_class")} AND d.deptype = 'a'
                AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = d.objid) = 'S')
            """;
        var edges = new List<(string, string)>();
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            if (row[0] is not null && row[1] is not null && row[0] != row[1])
                edges.Add((row[0]!, row[1]!));
        }
        return edges;
    }
}
