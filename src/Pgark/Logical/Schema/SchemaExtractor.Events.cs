namespace Pgark.Logical.Schema;

// Post-data kinds that must not act during the restore or need the loaded tables: extended statistics, publications
// (with their tables and schemas), subscriptions (created disabled and unconnected, as pg_dump does) and event triggers (last).
internal sealed partial class SchemaExtractor
{
    private async Task ReadStatisticsAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT s.oid, n.nspname, s.stxname, {TableName}, pg_catalog.pg_get_statisticsobjdef(s.oid), tc.oid,
              CASE WHEN coalesce(s.stxstattarget, -1) <> -1 THEN pg_catalog.format('ALTER STATISTICS %I.%I SET STATISTICS %s', n.nspname, s.stxname,
                s.stxstattarget) END
            FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace {UserTable("s.stxrelid")}
            WHERE {CatalogRows.UserSchema("n")} AND {CatalogRows.NotExtensionMember("pg_statistic_ext", "s.oid")}
            ORDER BY s.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            var entry = Add("stx" + row[0], RankStatistics, row[0], new SchemaObject("statistics", row[1]!, row[2]!, SchemaSection.PostData, row[4]!, row[3]));
            entry.Needs.Add("c" + row[5]);
            if (row[6] is not null)
            {
                Add("stt" + row[0], RankStatistics, row[0], new SchemaObject("statistics target", row[1]!, row[2]!, SchemaSection.PostData, row[6]!, row[3]))
                    .Needs.Add(entry.Key);
            }
        }
    }

    private async Task ReadPublicationsAsync(CancellationToken cancellationToken)
    {
        string generated = _version >= 180000 ? "CASE WHEN p.pubgencols = 's' THEN ', publish_generated_columns = stored' ELSE '' END" : "''";
        string sql = $"""
            SELECT p.oid, p.pubname, pg_catalog.format('CREATE PUBLICATION %I', p.pubname) || CASE WHEN p.puballtables THEN ' FOR ALL TABLES' ELSE '' END ||
              ' WITH (publish = ' || pg_catalog.quote_literal(pg_catalog.concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END,
                CASE WHEN p.pubupdate THEN 'update' END, CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END)) ||
              ', publish_via_partition_root = ' || p.pubviaroot::text || {generated} || ')'
            FROM pg_catalog.pg_publication p ORDER BY p.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
            Add("pub" + row[0], RankPublication, row[0], new SchemaObject("publication", "", row[1]!, SchemaSection.PostData, row[2]!));
        string columns = _version >= 150000
            ? """
              coalesce(' (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.n)
                FROM pg_catalog.unnest(r.prattrs) WITH ORDINALITY k(attnum, n)
                JOIN pg_catalog.pg_attribute a ON a.attrelid = r.prrelid AND a.attnum = k.attnum) || ')', '') ||
              coalesce(' WHERE (' || pg_catalog.pg_get_expr(r.prqual, r.prrelid) || ')', '')
              """
            : "''";
        string tables = $"""
            SELECT r.oid, p.oid, p.pubname, {TableName}, pg_catalog.format('ALTER PUBLICATION %I ADD TABLE ONLY ', p.pubname) || {TableName} || {columns}, tc.oid
            FROM pg_catalog.pg_publication_rel r JOIN pg_catalog.pg_publication p ON p.oid = r.prpubid {UserTable("r.prrelid")}
            ORDER BY r.oid
            """;
        foreach (var row in await RowsAsync(tables, cancellationToken).ConfigureAwait(false))
        {
            var entry = Add("pubr" + row[0], RankPublication, row[0], new SchemaObject("publication table", "", row[2]!, SchemaSection.PostData, row[4]!, row[3]));
            entry.Needs.Add("pub" + row[1]);
            entry.Needs.Add("c" + row[5]);
        }
        if (_version < 150000)
            return;
        string schemas = """
            SELECT s.oid, p.oid, p.pubname, pg_catalog.format('ALTER PUBLICATION %I ADD TABLES IN SCHEMA %I', p.pubname, n.nspname), n.oid
            FROM pg_catalog.pg_publication_namespace s JOIN pg_catalog.pg_publication p ON p.oid = s.pnpubid
            JOIN pg_catalog.pg_namespace n ON n.oid = s.pnnspid ORDER BY s.oid
            """;
        foreach (var row in await RowsAsync(schemas, cancellationToken).ConfigureAwait(false))
        {
            var entry = Add("pubn" + row[0], RankPublication, row[0], new SchemaObject("publication schema", "", row[2]!, SchemaSection.PostData, row[3]!));
            entry.Needs.Add("pub" + row[1]);
            entry.Needs.Add("n" + row[4]);
        }
    }

    /// <summary>
    /// Subscriptions of this database, when the role may read their connection strings (superuser): created with
    /// connect = false, so they are disabled and have no slot until an administrator enables them.
    /// </summary>
    private async Task ReadSubscriptionsAsync(CancellationToken cancellationToken)
    {
        if ((await _connection.QueryTextAsync("SELECT pg_catalog.has_column_privilege('pg_catalog.pg_subscription', 'subconninfo', 'SELECT')",
            cancellationToken).ConfigureAwait(false)).Scalar != "t")
        {
            return;
        }
        string binary = _version >= 140000 ? "', binary = ' || s.subbinary::text" : "''";
        string sql = $"""
            SELECT s.oid, s.subname, pg_catalog.format('CREATE SUBSCRIPTION %I CONNECTION %L PUBLICATION %s WITH (connect = false, slot_name = %s',
                s.subname, s.subconninfo, (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(x), ', ') FROM pg_catalog.unnest(s.subpublications) x),
                coalesce(pg_catalog.quote_literal(s.subslotname), 'NONE')) ||
              ', synchronous_commit = ' || pg_catalog.quote_literal(s.subsynccommit) || {binary} || ')'
            FROM pg_catalog.pg_subscription s WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
            ORDER BY s.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
            Add("sub" + row[0], RankPublication, row[0], new SchemaObject("subscription", "", row[1]!, SchemaSection.PostData, row[2]!));
    }

    private async Task ReadEventTriggersAsync(CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT et.oid, et.evtname, pg_catalog.format('CREATE EVENT TRIGGER %I ON %I', et.evtname, et.evtevent) ||
              coalesce(' WHEN TAG IN (' || (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(t), ', ') FROM pg_catalog.unnest(et.evttags) t) || ')', '') ||
              ' EXECUTE FUNCTION ' || et.evtfoid::pg_catalog.regproc::text || '()',
              CASE et.evtenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA' WHEN 'A' THEN 'ENABLE ALWAYS' END
            FROM pg_catalog.pg_event_trigger et
            WHERE {CatalogRows.NotExtensionMember("pg_event_trigger", "et.oid")}
            ORDER BY et.oid
            """;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            var entry = Add("evt" + row[0], RankEventTrigger, row[0], new SchemaObject("event trigger", "", row[1]!, SchemaSection.PostData, row[2]!));
            if (row[3] is not null)
            {
                Add("evs" + row[0], RankEventTrigger, row[0], new SchemaObject("event trigger state", "", row[1]!, SchemaSection.PostData,
                    $"ALTER EVENT TRIGGER {SqlText.Identifier(row[1]!)} {row[3]}")).Needs.Add(entry.Key);
            }
        }
    }
}
