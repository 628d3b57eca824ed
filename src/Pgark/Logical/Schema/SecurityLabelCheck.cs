using Pgark.Wire.Connection;

namespace Pgark.Logical.Schema;

/// <summary>
/// Security labels are not dumped in version 1 (spec/logical-format.md §4.4): restoring one needs the same label provider
/// (a loadable module such as sepgsql) on the target, and none ships enabled, so the statements could not be tested. So that
/// the loss is never silent, the backup names the labelled objects it leaves behind, one warning per provider.
/// </summary>
internal static class SecurityLabelCheck
{
    /// <summary>Objects named per warning; the count covers the rest.</summary>
    private const int NamedObjects = 5;

    // pg_seclabels names every labelled object (pg_seclabel and pg_shseclabel); of the shared objects only the database
    // itself belongs to this database (roles and tablespaces are globals). Same view and columns in 13 through 18.
    private const string Sql = """
        SELECT l.provider, l.objtype || ' ' || l.objname
        FROM pg_catalog.pg_seclabels l
        WHERE l.objtype NOT IN ('role', 'tablespace', 'database')
          OR (l.objtype = 'database' AND l.objname = pg_catalog.quote_ident(pg_catalog.current_database()))
        ORDER BY l.provider, l.objtype, l.objname
        """;

    public static async Task<IReadOnlyList<string>> WarnAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var rows = await CatalogRows.ReadAsync(connection, Sql, cancellationToken).ConfigureAwait(false);
        foreach (var provider in rows.GroupBy(r => r[0]!, StringComparer.Ordinal))
        {
            var objects = provider.Select(r => r[1]!).ToList();
            string named = string.Join(", ", objects.Take(NamedObjects)) +
                (objects.Count > NamedObjects ? FormattableString.Invariant($" and {objects.Count - NamedObjects} more") : "");
            warnings.Add(FormattableString.Invariant($"{objects.Count} security label(s) of provider {provider.Key} were not backed up ({named}): ") +
                "pgark does not back up security labels, the rest of the backup is complete; hint: after restoring, reapply them with " +
                $"SECURITY LABEL FOR {provider.Key} ON <object> IS '<label>' (SELECT objtype, objname, label FROM pg_seclabels on the source lists them)");
        }
        return warnings;
    }
}
