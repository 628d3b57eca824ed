namespace Pgark.Logical.Schema;

// Functions, procedures, views and materialized views.
internal sealed partial class SchemaExtractor
{
    // Functions internal to another object (a multirange type's constructors) come with that object.
    private async Task ReadFunctionsAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT p.oid, n.nspname, p.oid::pg_catalog.regprocedure::text, p.prokind, pg_catalog.pg_get_functiondef(p.oid)
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE {CatalogRows.UserSchema("n")} AND p.prokind IN ('f', 'p', 'w') AND {CatalogRows.NotExtensionMember("pg_proc", "p.oid")}
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                AND d.objid = p.oid AND d.deptype = 'i')
            ORDER BY p.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            string kind = row[3] == "p" ? "procedure" : "function";
            Add("p" + row[0], RankFunction, row[0], new SchemaObject(kind, row[1]!, row[2]!, SchemaSection.PreData, row[4]!.TrimEnd()));
        }
    }

    private async Task ReadViewsAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT c.oid, n.nspname, c.relname, pg_catalog.format('%I.%I', n.nspname, c.relname), c.relkind, c.reltype,
              pg_catalog.pg_get_viewdef(c.oid), pg_catalog.array_to_string(c.reloptions, ', '), c.relispopulated
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE {CatalogRows.UserSchema("n")} AND c.relkind IN ('v', 'm') AND {CatalogRows.NotExtensionMember("pg_class", "c.oid")}
            ORDER BY c.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            string name = row[3]!;
            string query = row[6]!.Trim().TrimEnd(';');
            string with = string.IsNullOrEmpty(row[7]) ? "" : $" WITH ({row[7]})";
            bool materialized = row[4] == "m";
            string statement = materialized
                ? $"CREATE MATERIALIZED VIEW {name}{with} AS\n {query}\n  WITH NO DATA"
                : $"CREATE VIEW {name}{with} AS\n {query}";
            var entry = Add("c" + row[0], RankView, row[0],
                new SchemaObject(materialized ? "materialized view" : "view", row[1]!, row[2]!, SchemaSection.PreData, statement, name));
            _aliases["t" + row[5]] = entry.Key;
            if (materialized && row[8] == "t")
            {
                Add("m" + row[0], RankRefresh, row[0], new SchemaObject("materialized view data", row[1]!, row[2]!, SchemaSection.PostData,
                    $"REFRESH MATERIALIZED VIEW {name}", name)).Needs.Add(entry.Key);
            }
        }
    }
}
