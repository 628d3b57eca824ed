namespace Pgark.Logical.Schema;

/// <summary>
/// Statements about the database itself (kinds "database ...", spec/logical-format.md §4.2) must name the restored
/// database, whose name is not known at backup time. They hold U+0000 where that name goes: PostgreSQL's query text can
/// hold no NUL byte, so the marker can never be part of a name, literal or keyword, and the restore replaces every one.
/// </summary>
internal static class DatabasePlaceholder
{
    public const string Marker = "\0";

    /// <summary>The statement naming <paramref name="database"/> (quoted as an identifier) where the backup put the marker.</summary>
    public static string Substitute(string sql, string database) => sql.Replace(Marker, SqlText.Identifier(database), StringComparison.Ordinal);
}
