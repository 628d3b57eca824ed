using Pgark.Wire.Connection;

namespace Pgark.Logical.Schema;

/// <summary>Streams a catalog query's text rows (no row limit: a schema may have more objects than a buffered result allows).</summary>
internal static class CatalogRows
{
    public static async Task<List<string?[]>> ReadAsync(PgConnection connection, string sql, CancellationToken cancellationToken)
    {
        var rows = new List<string?[]>();
        await using PgQueryReader reader = await connection.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = new string?[reader.FieldCount];
                for (int i = 0; i < row.Length; i++)
                    row[i] = reader.GetString(i);
                rows.Add(row);
            }
        }
        return rows;
    }

    /// <summary>Filter on a pg_namespace alias: user schemas only.</summary>
    public static string UserSchema(string alias) =>
        $"{alias}.nspname NOT IN ('pg_catalog', 'information_schema') AND {alias}.nspname NOT LIKE 'pg\\_toast%' " +
        $"AND {alias}.nspname NOT LIKE 'pg\\_temp\\_%'";

    /// <summary>Filter: the object is not a member of an extension (CREATE EXTENSION recreates those).</summary>
    public static string NotExtensionMember(string catalog, string oidExpression) =>
        $"NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.{catalog}'::pg_catalog.regclass " +
        $"AND e.objid = {oidExpression} AND e.deptype = 'e')";
}
