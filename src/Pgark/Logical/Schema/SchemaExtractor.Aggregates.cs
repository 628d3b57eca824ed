namespace Pgark.Logical.Schema;

// Collations, aggregates and casts: pre-data definitions built from their catalogs (no pg_get_*def exists for them).
internal sealed partial class SchemaExtractor
{
    /// <summary>The locale column of an ICU or builtin collation: colllocale from 17, colliculocale in 15 and 16, collcollate before.</summary>
    private string CollationLocale => _version >= 170000 ? "c.colllocale" : _version >= 150000 ? "c.colliculocale" : "c.collcollate";

    private async Task ReadCollationsAsync(CancellationToken cancellationToken)
    {
        string rules = _version >= 160000 ? "coalesce(', rules = ' || pg_catalog.quote_literal(c.collicurules), '')" : "''";
        string sql = $"""
            SELECT c.oid, n.nspname, c.collname, pg_catalog.format('CREATE COLLATION %I.%I (', n.nspname, c.collname) ||
              CASE c.collprovider
                WHEN 'c' THEN pg_catalog.format('provider = libc, lc_collate = %L, lc_ctype = %L', c.collcollate, c.collctype)
                WHEN 'i' THEN pg_catalog.format('provider = icu, locale = %L', {CollationLocale}) || {rules}
                WHEN 'b' THEN pg_catalog.format('provider = builtin, locale = %L', {CollationLocale})
                ELSE pg_catalog.format('provider = default') END ||
              CASE WHEN c.collisdeterministic THEN '' ELSE ', deterministic = false' END || ')'
            FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
            WHERE {CatalogRows.UserSchema("n")} AND {CatalogRows.NotExtensionMember("pg_collation", "c.oid")}
            ORDER BY c.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
            Add("coll" + row[0], RankType, row[0], new SchemaObject("collation", row[1]!, row[2]!, SchemaSection.PreData, row[3]!));
    }

    private async Task ReadAggregatesAsync(CancellationToken cancellationToken)
    {
        static string Function(string column, string name) =>
            $"CASE WHEN a.{column} <> 0 THEN ', {name} = ' || a.{column}::pg_catalog.regproc::text ELSE '' END";
        static string Modify(string column, string name) =>
            $"', {name} = ' || CASE a.{column} WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END";
        string sql = $"""
            SELECT p.oid, n.nspname, p.oid::pg_catalog.regprocedure::text,
              pg_catalog.format('CREATE AGGREGATE %I.%I(%s) (SFUNC = %s, STYPE = %s', n.nspname, p.proname,
                CASE WHEN p.pronargs = 0 THEN '*' ELSE pg_catalog.pg_get_function_arguments(p.oid) END,
                a.aggtransfn::pg_catalog.regproc::text, pg_catalog.format_type(a.aggtranstype, NULL)) ||
              CASE WHEN a.aggtransspace <> 0 THEN ', SSPACE = ' || a.aggtransspace ELSE '' END ||
              {Function("aggfinalfn", "FINALFUNC")} ||
              CASE WHEN a.aggfinalextra THEN ', FINALFUNC_EXTRA' ELSE '' END ||
              CASE WHEN a.aggfinalfn <> 0 THEN {Modify("aggfinalmodify", "FINALFUNC_MODIFY")} ELSE '' END ||
              {Function("aggcombinefn", "COMBINEFUNC")} || {Function("aggserialfn", "SERIALFUNC")} || {Function("aggdeserialfn", "DESERIALFUNC")} ||
              coalesce(', INITCOND = ' || pg_catalog.quote_literal(a.agginitval), '') ||
              CASE WHEN a.aggmtransfn <> 0 THEN ', MSFUNC = ' || a.aggmtransfn::pg_catalog.regproc::text ||
                ', MINVFUNC = ' || a.aggminvtransfn::pg_catalog.regproc::text || ', MSTYPE = ' || pg_catalog.format_type(a.aggmtranstype, NULL) ||
                CASE WHEN a.aggmtransspace <> 0 THEN ', MSSPACE = ' || a.aggmtransspace ELSE '' END ||
                {Function("aggmfinalfn", "MFINALFUNC")} || CASE WHEN a.aggmfinalextra THEN ', MFINALFUNC_EXTRA' ELSE '' END ||
                CASE WHEN a.aggmfinalfn <> 0 THEN {Modify("aggmfinalmodify", "MFINALFUNC_MODIFY")} ELSE '' END ||
                coalesce(', MINITCOND = ' || pg_catalog.quote_literal(a.aggminitval), '') ELSE '' END ||
              CASE WHEN a.aggsortop <> 0 THEN (SELECT pg_catalog.format(', SORTOP = OPERATOR(%I.%s)', opn.nspname, o.oprname)
                FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace WHERE o.oid = a.aggsortop) ELSE '' END ||
              CASE p.proparallel WHEN 's' THEN ', PARALLEL = SAFE' WHEN 'r' THEN ', PARALLEL = RESTRICTED' ELSE '' END ||
              CASE WHEN a.aggkind = 'h' THEN ', HYPOTHETICAL' ELSE '' END || ')'
            FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE {CatalogRows.UserSchema("n")} AND {CatalogRows.NotExtensionMember("pg_proc", "p.oid")}
            ORDER BY p.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
            Add("p" + row[0], RankAggregate, row[0], new SchemaObject("aggregate", row[1]!, row[2]!, SchemaSection.PreData, row[3]!));
    }

    /// <summary>User-defined casts (oid at or above FirstNormalObjectId, not from an extension, not a range type's own multirange cast).</summary>
    private async Task ReadCastsAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT c.oid, pg_catalog.format('(%s AS %s)', pg_catalog.format_type(c.castsource, NULL), pg_catalog.format_type(c.casttarget, NULL)),
              CASE c.castmethod WHEN 'f' THEN ' WITH FUNCTION ' || c.castfunc::pg_catalog.regprocedure::text
                WHEN 'i' THEN ' WITH INOUT' ELSE ' WITHOUT FUNCTION' END ||
              CASE c.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT' ELSE '' END
            FROM pg_catalog.pg_cast c
            WHERE c.oid >= 16384 AND {CatalogRows.NotExtensionMember("pg_cast", "c.oid")}
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass
                AND d.objid = c.oid AND d.deptype = 'i')
            ORDER BY c.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
            Add("cast" + row[0], RankCast, row[0], new SchemaObject("cast", "", row[1]!, SchemaSection.PreData, $"CREATE CAST {row[1]}{row[2]}"));
    }
}
