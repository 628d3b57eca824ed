using Pgark.Wire.Connection;

namespace Pgark.Logical.Schema;

/// <summary>
/// Security labels are not dumped in version 1 (spec/logical-format.md §4.4): restoring one needs the same label provider
/// (a loadable module such as sepgsql) on the target, and none ships enabled, so the statements could not be tested. So that
/// the loss is never silent, the backup counts the labels it leaves behind, per provider, and warns.
/// </summary>
internal static class SecurityLabelCheck
{
    // pg_seclabel holds the database's own objects' labels; pg_shseclabel the shared ones, of which only the database's
    // own label belongs to this database (roles and tablespaces are globals). Same catalogs and columns in 13 through 18.
    private const string Sql = """
        SELECT l.provider, pg_catalog.count(*)
        FROM (SELECT s.provider FROM pg_catalog.pg_seclabel s
              UNION ALL
              SELECT sh.provider FROM pg_catalog.pg_shseclabel sh
              WHERE sh.classoid = 'pg_catalog.pg_database'::pg_catalog.regclass
                AND sh.objoid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())) l
        GROUP BY l.provider ORDER BY l.provider
        """;

    public static async Task<IReadOnlyList<string>> WarnAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        foreach (var row in await CatalogRows.ReadAsync(connection, Sql, cancellationToken).ConfigureAwait(false))
        {
            warnings.Add($"{row[1]} security label(s) of provider {row[0]} were not backed up (pgark does not dump security labels); " +
                "hint: reapply them after a restore with SECURITY LABEL FOR " + row[0] + " ON ...");
        }
        return warnings;
    }
}
