using System.Text;
using Pgark.Wire.Connection;

namespace Pgark.Logical;

/// <summary>
/// What CREATE DATABASE needs beyond the encoding to make the source database again: its collation and character
/// classification, its locale provider (libc, icu, builtin) with the provider's locale and ICU rules, and its default
/// tablespace (null for pg_default). Recorded in logical.json ("databaseDefinition"); a restore with --create-db uses it.
/// </summary>
public sealed record DatabaseDefinition(string LocaleProvider, string Collate, string Ctype, string? Locale, string? IcuRules, string? Tablespace)
{
    /// <summary>pg_database's columns for these, by the source's major: providers came in 15, ICU rules in 16, datlocale in 17.</summary>
    internal static async Task<DatabaseDefinition> ReadAsync(PgConnection connection, int serverVersion, CancellationToken cancellationToken)
    {
        string provider = serverVersion >= 150000 ? "CASE d.datlocprovider WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END" : "'libc'";
        string locale = serverVersion >= 170000 ? "d.datlocale" : serverVersion >= 150000 ? "d.daticulocale" : "NULL";
        string rules = serverVersion >= 160000 ? "d.daticurules" : "NULL";
        var row = (await connection.QueryTextAsync(
            $"SELECT {provider}, d.datcollate, d.datctype, {locale}, {rules}, NULLIF(t.spcname, 'pg_default') " +
            "FROM pg_catalog.pg_database d JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace " +
            "WHERE d.datname = pg_catalog.current_database()", cancellationToken).ConfigureAwait(false)).Rows[0];
        return new DatabaseDefinition(row[0]!, row[1]!, row[2]!, row[3], row[4], row[5]);
    }

    /// <summary>
    /// CREATE DATABASE for a target server of <paramref name="targetVersion"/> (never older than the source: the restore refuses
    /// that first). From 15 the provider is always named, so a target whose template0 uses another provider still makes the
    /// source's; a source before 15 had only libc. Without <paramref name="withTablespace"/> the database goes to pg_default.
    /// </summary>
    internal static string CreateStatement(string name, string encoding, DatabaseDefinition? definition, int targetVersion, bool withTablespace)
    {
        var sql = new StringBuilder($"CREATE DATABASE {SqlText.Identifier(name)} TEMPLATE template0 ENCODING {SqlText.Literal(encoding)}");
        if (definition is null)
            return sql.ToString(); // written before the definition was recorded: the target's defaults, as before
        if (definition.LocaleProvider is not ("libc" or "icu" or "builtin"))
            throw new LogicalException($"logical.json names the locale provider '{definition.LocaleProvider}', not libc, icu or builtin; hint: the " +
                "document is damaged: run pgark check --read-data on the repository");
        sql.Append(" LC_COLLATE ").Append(SqlText.Literal(definition.Collate)).Append(" LC_CTYPE ").Append(SqlText.Literal(definition.Ctype));
        if (targetVersion >= 150000)
        {
            sql.Append(" LOCALE_PROVIDER ").Append(definition.LocaleProvider);
            if (definition.Locale is not null)
                sql.Append(definition.LocaleProvider == "builtin" ? " BUILTIN_LOCALE " : " ICU_LOCALE ").Append(SqlText.Literal(definition.Locale));
            if (definition.IcuRules is not null)
                sql.Append(" ICU_RULES ").Append(SqlText.Literal(definition.IcuRules));
        }
        if (withTablespace && definition.Tablespace is not null)
            sql.Append(" TABLESPACE ").Append(SqlText.Identifier(definition.Tablespace));
        return sql.ToString();
    }
}
