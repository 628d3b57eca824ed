using System.Globalization;
using Pgark.Logical.Globals;

namespace Pgark.Logical.Schema;

// Database-level settings (ALTER DATABASE ... SET) and per-database role settings (ALTER ROLE ... IN DATABASE ... SET),
// from pg_db_role_setting, whose columns are the same in 13 through 18.
internal sealed partial class SchemaExtractor
{
    /// <summary>
    /// The "table" of database settings, so a --table restore (often into a database that is not a copy of the source)
    /// leaves them out; never a real table's name, which is always schema-qualified.
    /// </summary>
    public const string DatabaseTable = "(database)";

    /// <summary>
    /// After everything else: a setting applies to sessions opened later, so one like default_transaction_read_only or
    /// search_path must not reach the restore's own COPY workers.
    /// </summary>
    private const int RankDatabaseSetting = 60;

    private async Task ReadDatabaseSettingsAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT s.setrole, r.rolname, c.setting
            FROM pg_catalog.pg_db_role_setting s
              JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase AND d.datname = pg_catalog.current_database()
              LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole,
              LATERAL pg_catalog.unnest(s.setconfig) WITH ORDINALITY c(setting, n)
            ORDER BY s.setrole <> 0, r.rolname, c.n
            """;
        int sequence = 0;
        foreach (var row in await RowsAsync(sql, cancellationToken).ConfigureAwait(false))
        {
            if (row[0] != "0" && row[1] is null)
                continue; // a setting of a dropped role's leftover row (pg_db_role_setting has no foreign key): nothing to restore
            string setting = row[2]!;
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            string name = setting[..equals];
            string assignment = $"SET {SqlText.Identifier(name)} TO {SettingValue.ToSql(name, setting[(equals + 1)..])}";
            bool forRole = row[0] != "0";
            // The restored database's name is not known at backup time, so the statement names it through current_database().
            string alter = forRole
                ? $"pg_catalog.format('ALTER ROLE %I IN DATABASE %I ', {SqlText.Literal(row[1]!)}, pg_catalog.current_database())"
                : "pg_catalog.format('ALTER DATABASE %I ', pg_catalog.current_database())";
            string body = $"BEGIN EXECUTE {alter} || {SqlText.Literal(assignment)}; END";
            string tag = "$pgark$";
            while (body.Contains(tag, StringComparison.Ordinal))
                tag = tag.Insert(tag.Length - 1, "_");
            var definition = new SchemaObject(forRole ? "database role setting" : "database setting", "", forRole ? $"{row[1]} {name}" : name,
                SchemaSection.PostData, $"DO {tag}{body}{tag}", DatabaseTable);
            Add("dbset" + sequence.ToString(CultureInfo.InvariantCulture), RankDatabaseSetting, sequence.ToString(CultureInfo.InvariantCulture), definition);
            sequence++;
        }
    }
}
