namespace Pgark.Logical.Schema;

// Post-data: key and foreign-key constraints, unvalidated checks, indexes, triggers, rules and row security policies.
internal sealed partial class SchemaExtractor
{
    private const string TableName = "pg_catalog.format('%I.%I', tn.nspname, tc.relname)";
    private const string TableJoin = "JOIN pg_catalog.pg_class tc ON tc.oid = {0} JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace";

    /// <summary>
    /// The name of the tablespace a pg_class.reltablespace value names, or NULL for 0 (the database's default, where the
    /// restored object lands by itself). Same column in 13 through 18.
    /// </summary>
    private static string TablespaceOf(string reltablespace) =>
        $"(SELECT ts.spcname FROM pg_catalog.pg_tablespace ts WHERE ts.oid = {reltablespace})";

    private static string UserTable(string relationOid) => string.Format(System.Globalization.CultureInfo.InvariantCulture, TableJoin, relationOid);

    private async Task ReadConstraintsAsync(CancellationToken cancellationToken)
    {
        // Constraints a partition inherits from its parent (conparentid <> 0) come back when the parent's are added.
        string sql = $"""
            SELECT co.oid, tn.nspname, co.conname, {TableName}, tc.relkind, co.contype, pg_catalog.pg_get_constraintdef(co.oid),
              (SELECT pg_catalog.format('%I.%I', rn.nspname, rc.relname) FROM pg_catalog.pg_class rc
                 JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = co.confrelid),
              co.convalidated, co.conislocal, tc.oid,
              {TablespaceOf("(SELECT ci.reltablespace FROM pg_catalog.pg_class ci WHERE ci.oid = co.conindid)")}
            FROM pg_catalog.pg_constraint co {UserTable("co.conrelid")}
            WHERE co.contype IN ('p', 'u', 'x', 'f', 'c') AND co.conparentid = 0 AND tc.relkind IN ('r', 'p')
              AND {CatalogRows.UserSchema("tn")} AND {CatalogRows.NotExtensionMember("pg_class", "tc.oid")}
            ORDER BY co.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            string type = row[5]!;
            if (type == "c" && (row[8] == "t" || row[9] == "f"))
                continue; // inline in CREATE TABLE, or inherited
            string only = row[4] == "p" ? "" : "ONLY ";
            string statement = $"ALTER TABLE {only}{row[3]} ADD CONSTRAINT {SqlText.Identifier(row[2]!)} {row[6]}";
            int rank = type == "f" ? RankForeignKey : RankKey;
            string kind = type switch { "p" => "primary key", "u" => "unique constraint", "x" => "exclusion constraint", "f" => "foreign key", _ => "check constraint" };
            Add("k" + row[0], rank, row[0], new SchemaObject(kind, row[1]!, row[2]!, SchemaSection.PostData, statement, row[3],
                type == "f" ? row[7] : null, type is "p" or "u" or "x" ? row[11] : null)).Needs.Add("c" + row[10]);
        }
    }

    private async Task ReadIndexesAsync(CancellationToken cancellationToken)
    {
        // Skipped: indexes owned by a key constraint (the constraint makes them) and partitions' copies of a parent index.
        string sql = $"""
            SELECT i.indexrelid, n.nspname, ic.relname, {TableName}, pg_catalog.pg_get_indexdef(i.indexrelid), tc.oid, tc.relkind,
              {TablespaceOf("ic.reltablespace")}
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
            {UserTable("i.indrelid")}
            WHERE tc.relkind IN ('r', 'p', 'm') AND {CatalogRows.UserSchema("tn")} AND {CatalogRows.NotExtensionMember("pg_class", "tc.oid")}
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid)
            ORDER BY i.indexrelid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            // A partitioned table's index is dumped "ON ONLY" (pg_dump attaches each partition's index one by one);
            // without ONLY the server builds and attaches them all in one statement.
            string statement = row[6] == "p" ? row[4]!.Replace(" ON ONLY ", " ON ", StringComparison.Ordinal) : row[4]!;
            Add("c" + row[0], RankIndex, row[0], new SchemaObject("index", row[1]!, row[2]!, SchemaSection.PostData, statement, row[3],
                Tablespace: row[7]))
                .Needs.Add("c" + row[5]);
        }
    }

    private async Task ReadTriggersAndRulesAsync(CancellationToken cancellationToken)
    {
        string triggers = $"""
            SELECT t.oid, tn.nspname, t.tgname, {TableName}, pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled, tc.oid
            FROM pg_catalog.pg_trigger t {UserTable("t.tgrelid")}
            WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND {CatalogRows.UserSchema("tn")} AND {CatalogRows.NotExtensionMember("pg_class", "tc.oid")}
            ORDER BY t.oid
            """;
        foreach (var row in await RowsAsync(triggers, cancellationToken).ConfigureAwait(false))
        {
            var entry = Add("g" + row[0], RankTrigger, row[0], new SchemaObject("trigger", row[1]!, row[2]!, SchemaSection.PostData, row[4]!, row[3]));
            entry.Needs.Add("c" + row[6]);
            if (row[5] == "D")
            {
                Add("h" + row[0], RankTrigger, row[0], new SchemaObject("trigger state", row[1]!, row[2]!, SchemaSection.PostData,
                    $"ALTER TABLE {row[3]} DISABLE TRIGGER {SqlText.Identifier(row[2]!)}", row[3])).Needs.Add(entry.Key);
            }
        }
        string rules = $"""
            SELECT r.oid, tn.nspname, r.rulename, {TableName}, pg_catalog.pg_get_ruledef(r.oid), tc.oid
            FROM pg_catalog.pg_rewrite r {UserTable("r.ev_class")}
            WHERE r.rulename <> '_RETURN' AND {CatalogRows.UserSchema("tn")} AND {CatalogRows.NotExtensionMember("pg_class", "tc.oid")}
            ORDER BY r.oid
            """;
        foreach (var row in await RowsAsync(rules, cancellationToken).ConfigureAwait(false))
        {
            Add("w" + row[0], RankRule, row[0], new SchemaObject("rule", row[1]!, row[2]!, SchemaSection.PostData, row[4]!.Trim().TrimEnd(';'), row[3]))
                .Needs.Add("c" + row[5]);
        }
    }

    private async Task ReadPoliciesAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT p.oid, tn.nspname, p.polname, {TableName},
              pg_catalog.format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s', p.polname, tn.nspname, tc.relname,
                CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                CASE WHEN 0 = ANY (p.polroles) THEN 'PUBLIC' ELSE (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(r.rolname), ', ' ORDER BY r.rolname)
                  FROM pg_catalog.pg_roles r WHERE r.oid = ANY (p.polroles)) END) ||
              coalesce(' USING (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', '') ||
              coalesce(' WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')', ''), tc.oid
            FROM pg_catalog.pg_policy p {UserTable("p.polrelid")}
            WHERE {CatalogRows.UserSchema("tn")}
            ORDER BY p.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            Add("y" + row[0], RankPolicy, row[0], new SchemaObject("policy", row[1]!, row[2]!, SchemaSection.PostData, row[4]!, row[3]))
                .Needs.Add("c" + row[5]);
        }
    }
}
