namespace Pgark.Logical.Schema;

// Enum, composite, range and domain types (with their constraints).
internal sealed partial class SchemaExtractor
{
    /// <summary>" COLLATE schema.name" when a column's collation is not its type's default, else "".</summary>
    internal static string CollateClause(string collation, string typeCollation) =>
        $"CASE WHEN {collation} <> 0 AND {collation} <> {typeCollation} THEN ' COLLATE ' || (SELECT pg_catalog.format('%I.%I', cn.nspname, co.collname) " +
        $"FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = {collation}) ELSE '' END";

    private async Task ReadTypesAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT t.oid, n.nspname, t.typname, t.typtype, pg_catalog.format('%I.%I', n.nspname, t.typname), t.typrelid,
              CASE t.typtype
                WHEN 'e' THEN 'AS ENUM (' || coalesce((SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                    FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid), '') || ')'
                WHEN 'c' THEN 'AS (' || coalesce((SELECT pg_catalog.string_agg(pg_catalog.format('%I ', a.attname) ||
                    pg_catalog.format_type(a.atttypid, a.atttypmod) || {CollateClause("a.attcollation", "at.typcollation")}, ', ' ORDER BY a.attnum)
                    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
                    WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')'
                WHEN 'r' THEN (SELECT 'AS RANGE (subtype = ' || pg_catalog.format_type(r.rngsubtype, NULL) ||
                    CASE WHEN r.rngsubdiff <> 0 THEN ', subtype_diff = ' || r.rngsubdiff::pg_catalog.regproc::text ELSE '' END || ')'
                    FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid)
                WHEN 'd' THEN 'AS ' || pg_catalog.format_type(t.typbasetype, t.typtypmod) || {CollateClause("t.typcollation", "bt.typcollation")} ||
                    CASE WHEN t.typdefault IS NOT NULL THEN ' DEFAULT ' || t.typdefault ELSE '' END ||
                    CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END ||
                    coalesce((SELECT pg_catalog.string_agg(pg_catalog.format(' CONSTRAINT %I ', c.conname) || pg_catalog.pg_get_constraintdef(c.oid), ''
                      ORDER BY c.conname) FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '')
              END
            FROM pg_catalog.pg_type t
            JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
            WHERE {CatalogRows.UserSchema("n")} AND t.typtype IN ('e', 'c', 'r', 'd')
              AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
              AND {CatalogRows.NotExtensionMember("pg_type", "t.oid")}
            ORDER BY t.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            string kind = row[3] == "d" ? "domain" : "type";
            string statement = row[3] == "d" ? $"CREATE DOMAIN {row[4]} {row[6]}" : $"CREATE TYPE {row[4]} {row[6]}";
            var entry = Add("t" + row[0], RankType, row[0], new SchemaObject(kind, row[1]!, row[2]!, SchemaSection.PreData, statement));
            if (row[3] == "c")
                _aliases["c" + row[5]] = entry.Key; // a composite type's attributes depend through its pg_class row
        }
    }
}
