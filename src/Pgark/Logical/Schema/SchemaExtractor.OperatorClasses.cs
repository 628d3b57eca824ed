namespace Pgark.Logical.Schema;

// Operator families and classes: pre-data, after the operators and functions they list. No pg_get_*def exists for them,
// so the statements are built from pg_opfamily/pg_opclass and their members in pg_amop/pg_amproc. The columns read here
// are the same in 13 through 18.
internal sealed partial class SchemaExtractor
{
    private const int RankOperatorFamily = 5, RankOperatorClass = 5;

    /// <summary>
    /// The members (pg_amop, pg_amproc) that pg_depend ties to one family or class: a class's own members depend on the
    /// class, members added with ALTER OPERATOR FAMILY ("loose" members) depend on the family.
    /// </summary>
    private static string Members(string ownerCatalog, string ownerOid, string separator) => $"""
        (SELECT pg_catalog.string_agg(m.item, '{separator}' ORDER BY m.kind, m.number, m.item) FROM (
           SELECT 0 AS kind, ao.amopstrategy AS number, pg_catalog.format('OPERATOR %s %s', ao.amopstrategy,
               pg_catalog.format('%s(%s, %s)', CASE WHEN on_.nspname = 'pg_catalog' THEN op.oprname ELSE pg_catalog.format('%I.%s', on_.nspname, op.oprname) END,
               pg_catalog.format_type(ao.amoplefttype, NULL), pg_catalog.format_type(ao.amoprighttype, NULL))) ||
             CASE WHEN ao.amoppurpose = 'o' THEN (SELECT pg_catalog.format(' FOR ORDER BY %I.%I', sn.nspname, sf.opfname)
               FROM pg_catalog.pg_opfamily sf JOIN pg_catalog.pg_namespace sn ON sn.oid = sf.opfnamespace WHERE sf.oid = ao.amopsortfamily)
               ELSE '' END AS item
           FROM pg_catalog.pg_amop ao JOIN pg_catalog.pg_depend dp ON dp.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass AND dp.objid = ao.oid
             JOIN pg_catalog.pg_operator op ON op.oid = ao.amopopr JOIN pg_catalog.pg_namespace on_ ON on_.oid = op.oprnamespace
           WHERE dp.refclassid = 'pg_catalog.{ownerCatalog}'::pg_catalog.regclass AND dp.refobjid = {ownerOid}
           UNION ALL
           SELECT 1, ap.amprocnum, pg_catalog.format('FUNCTION %s (%s, %s) %s', ap.amprocnum, pg_catalog.format_type(ap.amproclefttype, NULL),
               pg_catalog.format_type(ap.amprocrighttype, NULL), ap.amproc::pg_catalog.regprocedure::text)
           FROM pg_catalog.pg_amproc ap JOIN pg_catalog.pg_depend dp ON dp.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass AND dp.objid = ap.oid
           WHERE dp.refclassid = 'pg_catalog.{ownerCatalog}'::pg_catalog.regclass AND dp.refobjid = {ownerOid}) m)
        """;

    /// <summary>The operators and functions a family or class lists, as extractor keys, so it is created after them.</summary>
    private static string MemberKeys(string ownerCatalog, string ownerOid) => $"""
        (SELECT pg_catalog.string_agg(k, ' ') FROM (
           SELECT 'opr' || ao.amopopr AS k FROM pg_catalog.pg_amop ao JOIN pg_catalog.pg_depend dp
             ON dp.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass AND dp.objid = ao.oid
           WHERE dp.refclassid = 'pg_catalog.{ownerCatalog}'::pg_catalog.regclass AND dp.refobjid = {ownerOid}
           UNION
           SELECT 'p' || ap.amproc FROM pg_catalog.pg_amproc ap JOIN pg_catalog.pg_depend dp
             ON dp.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass AND dp.objid = ap.oid
           WHERE dp.refclassid = 'pg_catalog.{ownerCatalog}'::pg_catalog.regclass AND dp.refobjid = {ownerOid}) keys)
        """;

    private async Task ReadOperatorClassesAsync(CancellationToken cancellationToken)
    {
        // A family: CREATE, then its loose members in one ALTER (no ALTER when it has none, e.g. the family a CREATE
        // OPERATOR CLASS made implicitly; the class then finds it by its FAMILY clause).
        string families = $"""
            SELECT f.oid, n.nspname, f.opfname, pg_catalog.format('CREATE OPERATOR FAMILY %I.%I USING %I', n.nspname, f.opfname, am.amname) ||
              coalesce(pg_catalog.format(E';\nALTER OPERATOR FAMILY %I.%I USING %I ADD\n    ', n.nspname, f.opfname, am.amname) ||
                {Members("pg_opfamily", "f.oid", ",\n    ")}, ''),
              {MemberKeys("pg_opfamily", "f.oid")}
            FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod
            WHERE {CatalogRows.UserSchema("n")} AND {CatalogRows.NotExtensionMember("pg_opfamily", "f.oid")}
            ORDER BY f.oid
            """;
        foreach (var row in await RowsAsync(families, cancellationToken).ConfigureAwait(false))
            AddWithNeeds("opf" + row[0], RankOperatorFamily, row[0], new SchemaObject("operator family", row[1]!, row[2]!, SchemaSection.PreData, row[3]!), row[4]);

        string classes = $"""
            SELECT c.oid, n.nspname, c.opcname,
              pg_catalog.format(E'CREATE OPERATOR CLASS %I.%I %sFOR TYPE %s USING %I FAMILY %I.%I AS\n    ', n.nspname, c.opcname,
                CASE WHEN c.opcdefault THEN 'DEFAULT ' ELSE '' END, pg_catalog.format_type(c.opcintype, NULL), am.amname, fn.nspname, f.opfname) ||
              coalesce({Members("pg_opclass", "c.oid", ",\n    ")} ||
                CASE WHEN c.opckeytype <> 0 THEN E',\n    STORAGE ' || pg_catalog.format_type(c.opckeytype, NULL) ELSE '' END,
                CASE WHEN c.opckeytype <> 0 THEN 'STORAGE ' || pg_catalog.format_type(c.opckeytype, NULL) END,
                -- A class with no members and no storage type: CREATE OPERATOR CLASS needs one item; the input type as storage is a no-op.
                'STORAGE ' || pg_catalog.format_type(c.opcintype, NULL)),
              {MemberKeys("pg_opclass", "c.oid")}, 'opf' || c.opcfamily
            FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod
              JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace
            WHERE {CatalogRows.UserSchema("n")} AND {CatalogRows.NotExtensionMember("pg_opclass", "c.oid")}
            ORDER BY c.oid
            """;
        foreach (var row in await RowsAsync(classes, cancellationToken).ConfigureAwait(false))
        {
            var entry = AddWithNeeds("opc" + row[0], RankOperatorClass, row[0], new SchemaObject("operator class", row[1]!, row[2]!, SchemaSection.PreData, row[3]!), row[4]);
            entry.Needs.Add(row[5]!);
        }

        _ownables.Add("""
            SELECT 'opf' || f.oid, pg_catalog.format('OPERATOR FAMILY %I.%I USING %I', n.nspname, f.opfname, am.amname), NULL, f.opfowner, NULL
            FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod
            UNION ALL
            SELECT 'opc' || c.oid, pg_catalog.format('OPERATOR CLASS %I.%I USING %I', n.nspname, c.opcname, am.amname), NULL, c.opcowner, NULL
            FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod
            """);
    }

    private Entry AddWithNeeds(string key, int rank, string? oid, SchemaObject definition, string? needs)
    {
        var entry = Add(key, rank, oid, definition);
        if (needs is not null)
            entry.Needs.AddRange(needs.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return entry;
    }
}
