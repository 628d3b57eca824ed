using System.Text;

namespace Pgark.Logical.Schema;

// Sequences and tables: columns, defaults, identity, generated columns, collations, inline checks, partitioning,
// inheritance, unlogged, storage options, row level security switches.
internal sealed partial class SchemaExtractor
{
    private async Task ReadSequencesAsync(CancellationToken cancellationToken)
    {
        // Identity sequences (deptype 'i') are created by their column's GENERATED ... AS IDENTITY clause instead.
        string sql = $"""
            SELECT c.oid, n.nspname, c.relname, pg_catalog.format('%I.%I', n.nspname, c.relname),
              pg_catalog.format('CREATE SEQUENCE %I.%I AS %s START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s%s', n.nspname, c.relname,
                pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
                CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END),
              (SELECT pg_catalog.format('%I.%I', tn.nspname, tc.relname) || '|' || pg_catalog.format('%I', a.attname) || '|' || tc.oid
                 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
                 JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                   AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype = 'a' LIMIT 1)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
            WHERE {CatalogRows.UserSchema("n")} AND c.relkind = 'S' AND {CatalogRows.NotExtensionMember("pg_class", "c.oid")}
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.objid = c.oid AND d.deptype = 'i')
            ORDER BY c.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            string? owner = null;
            string[]? owned = row[5]?.Split('|');
            if (owned is not null)
                owner = owned[0];
            var sequence = Add("c" + row[0], RankSequence, row[0],
                new SchemaObject("sequence", row[1]!, row[2]!, SchemaSection.PreData, row[4]!, owner));
            if (owned is not null)
            {
                var owning = Add("o" + row[0], RankSequenceOwner, row[0], new SchemaObject("sequence ownership", row[1]!, row[2]!,
                    SchemaSection.PreData, $"ALTER SEQUENCE {row[3]} OWNED BY {owned[0]}.{owned[1]}", owner));
                owning.Needs.Add(sequence.Key);
                owning.Needs.Add("c" + owned[2]);
            }
        }
    }

    private async Task ReadTablesAsync(CancellationToken cancellationToken)
    {
        string tables = $"""
            SELECT c.oid, n.nspname, c.relname, pg_catalog.format('%I.%I', n.nspname, c.relname), c.relkind, c.relpersistence, c.reltype,
              CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
              CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
              (SELECT pg_catalog.string_agg(pg_catalog.format('%I.%I', pn.nspname, pc.relname), ', ' ORDER BY i.inhseqno)
                 FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
                 JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid),
              pg_catalog.array_to_string(c.reloptions, ', '), c.relrowsecurity, c.relforcerowsecurity,
              (SELECT pg_catalog.format(' SERVER %I', fs.srvname) || {FdwOptions("ft.ftoptions")}
                 FROM pg_catalog.pg_foreign_table ft JOIN pg_catalog.pg_foreign_server fs ON fs.oid = ft.ftserver WHERE ft.ftrelid = c.oid),
              {TablespaceOf("c.reltablespace")}
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE {CatalogRows.UserSchema("n")} AND c.relkind IN ('r', 'p', 'f') AND {CatalogRows.NotExtensionMember("pg_class", "c.oid")}
            ORDER BY c.oid
            """;
        var columns = await ReadColumnsAsync(cancellationToken).ConfigureAwait(false);
        var checks = await ReadInlineChecksAsync(cancellationToken).ConfigureAwait(false);
        foreach (var row in await RowsAsync(tables, cancellationToken).ConfigureAwait(false))
        {
            string oid = row[0]!, name = row[3]!;
            bool partition = row[8] is not null;
            var elements = new List<string>();
            if (columns.TryGetValue(oid, out var own))
                elements.AddRange(own);
            if (checks.TryGetValue(oid, out var inline))
                elements.AddRange(inline);
            var sql = new StringBuilder("CREATE ");
            if (row[5] == "u")
                sql.Append("UNLOGGED ");
            bool foreign = row[4] == "f";
            sql.Append(foreign ? "FOREIGN TABLE " : "TABLE ").Append(name);
            if (partition)
            {
                // Columns come from the parent; only local constraints are listed.
                sql.Append(" PARTITION OF ").Append(row[9]);
                var local = checks.GetValueOrDefault(oid) ?? [];
                if (local.Count > 0)
                    sql.Append(" (\n    ").AppendJoin(",\n    ", local).Append("\n)");
                sql.Append(' ').Append(row[8]);
            }
            else
            {
                sql.Append(" (\n    ").AppendJoin(",\n    ", elements).Append("\n)");
                if (row[9] is not null)
                    sql.Append(" INHERITS (").Append(row[9]).Append(')');
            }
            if (row[7] is not null)
                sql.Append(" PARTITION BY ").Append(row[7]);
            if (foreign)
                sql.Append(row[13]);
            if (!string.IsNullOrEmpty(row[10]))
                sql.Append(" WITH (").Append(row[10]).Append(')');
            var table = Add("c" + oid, RankTable, oid, new SchemaObject(foreign ? "foreign table" : "table", row[1]!, row[2]!, SchemaSection.PreData,
                sql.ToString(), name, Tablespace: row[14]));
            _aliases["t" + row[6]] = table.Key;
            AddRowSecurity(row, table);
        }
    }

    private void AddRowSecurity(string?[] row, Entry table)
    {
        if (row[11] == "t")
        {
            Add("e" + row[0], RankTableExtra, row[0], new SchemaObject("row security", row[1]!, row[2]!, SchemaSection.PostData,
                $"ALTER TABLE {row[3]} ENABLE ROW LEVEL SECURITY", row[3])).Needs.Add(table.Key);
        }
        if (row[12] == "t")
        {
            Add("f" + row[0], RankTableExtra, row[0], new SchemaObject("row security", row[1]!, row[2]!, SchemaSection.PostData,
                $"ALTER TABLE {row[3]} FORCE ROW LEVEL SECURITY", row[3])).Needs.Add(table.Key);
        }
    }

    /// <summary>Column definitions of every user table, keyed by table oid; inherited-only columns are left to INHERITS.</summary>
    private async Task<Dictionary<string, List<string>>> ReadColumnsAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT a.attrelid, pg_catalog.format('%I ', a.attname) || pg_catalog.format_type(a.atttypid, a.atttypmod) ||
              {CollateClause("a.attcollation", "t.typcollation")} ||
              CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) || ') STORED'
                   WHEN a.attgenerated = 'v' THEN ' GENERATED ALWAYS AS (' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) || ') VIRTUAL'
                   WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) ELSE '' END ||
              CASE WHEN a.attidentity IN ('a', 'd') THEN ' GENERATED ' || CASE a.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END ||
                ' AS IDENTITY' || coalesce((SELECT pg_catalog.format(' (SEQUENCE NAME %I.%I START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s%s)',
                    sn.nspname, sc.relname, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END)
                  FROM pg_catalog.pg_depend dd JOIN pg_catalog.pg_class sc ON sc.oid = dd.objid
                  JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace JOIN pg_catalog.pg_sequence s ON s.seqrelid = sc.oid
                  WHERE dd.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dd.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                    AND dd.refobjid = a.attrelid AND dd.refobjsubid = a.attnum AND dd.deptype = 'i' LIMIT 1), '') ELSE '' END ||
              CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relkind IN ('r', 'p', 'f') AND {CatalogRows.UserSchema("n")} AND a.attnum > 0 AND NOT a.attisdropped AND a.attislocal
            ORDER BY a.attrelid, a.attnum
            """;
        var columns = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            if (!columns.TryGetValue(row[0]!, out var list))
                columns[row[0]!] = list = [];
            list.Add(row[1]!);
        }
        return columns;
    }

    /// <summary>Validated, locally defined CHECK constraints go inline in CREATE TABLE (checked while loading, as pg_dump does).</summary>
    private async Task<Dictionary<string, List<string>>> ReadInlineChecksAsync(CancellationToken cancellationToken)
    {
        string sql = """
            SELECT co.conrelid, pg_catalog.format('CONSTRAINT %I ', co.conname) || pg_catalog.pg_get_constraintdef(co.oid)
            FROM pg_catalog.pg_constraint co
            WHERE co.contype = 'c' AND co.conrelid <> 0 AND co.conislocal AND co.convalidated
            ORDER BY co.conrelid, co.conname
            """;
        var checks = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            if (!checks.TryGetValue(row[0]!, out var list))
                checks[row[0]!] = list = [];
            list.Add(row[1]!);
        }
        return checks;
    }
}
