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
              pg_catalog.pg_get_viewdef(c.oid), pg_catalog.array_to_string(c.reloptions, ', '), c.relispopulated,
              EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                AND d.objid = r.oid AND d.refclassid = 'pg_catalog.pg_constraint'::pg_catalog.regclass WHERE r.ev_class = c.oid),
              {TablespaceOf("c.reltablespace")}
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
            // A view relying on a constraint (GROUP BY a primary key lets it select the key's functionally dependent columns)
            // can only be created once the constraint exists, so it moves to post-data, as pg_dump postpones it too.
            bool afterConstraint = row[9] == "t";
            var entry = Add("c" + row[0], afterConstraint ? RankPostView : RankView, row[0], new SchemaObject(materialized ? "materialized view" : "view",
                row[1]!, row[2]!, afterConstraint ? SchemaSection.PostData : SchemaSection.PreData, statement, name,
                Tablespace: materialized ? row[10] : null));
            _aliases["t" + row[5]] = entry.Key;
            if (materialized && row[8] == "t")
            {
                Add("m" + row[0], RankRefresh, row[0], new SchemaObject("materialized view data", row[1]!, row[2]!, SchemaSection.PostData,
                    $"REFRESH MATERIALIZED VIEW {name}", name)).Needs.Add(entry.Key);
            }
        }
    }

    /// <summary>
    /// Views, materialized views and functions that use a postponed (post-data) view are postponed with it, transitively,
    /// since an object never waits for a later section.
    /// </summary>
    private void PostponeDependents(List<(string From, string To)> edges)
    {
        var postponed = _entries.Where(e => e.Rank == RankPostView).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        if (postponed.Count == 0)
            return;
        var byKey = _entries.ToLookup(e => e.Key, StringComparer.Ordinal);
        bool moved = true;
        while (moved)
        {
            moved = false;
            foreach (var (from, to) in edges)
            {
                if (!postponed.Contains(_aliases.GetValueOrDefault(to, to)))
                    continue;
                foreach (var entry in byKey[_aliases.GetValueOrDefault(from, from)])
                {
                    if (entry.Object.Section == SchemaSection.PreData && entry.Object.Kind is "view" or "materialized view" or "function" or "procedure")
                    {
                        entry.Object = entry.Object with { Section = SchemaSection.PostData };
                        entry.Rank = RankPostView;
                        moved |= postponed.Add(entry.Key);
                    }
                }
            }
        }
    }
}
