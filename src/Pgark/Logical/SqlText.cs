using System.Text;

namespace Pgark.Logical;

/// <summary>Quoting for the few statements pgark builds itself (object names mostly come quoted from the server).</summary>
internal static class SqlText
{
    /// <summary>A standard-conforming string literal; E'' is never needed because backslashes are literal in ''.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A quoted identifier (always quoted: harmless and immune to keyword lists of other majors).</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Qualified(string schema, string name) => Identifier(schema) + "." + Identifier(name);

    /// <summary>Tree path of a table's data object: data/&lt;schema&gt;/&lt;table&gt;.copy with '%' and '/' percent-encoded.</summary>
    public static string DataPath(string schema, string name) => $"data/{PathPart(schema)}/{PathPart(name)}.copy";

    /// <summary>Tree path of a large object's data object: lo/&lt;oid&gt; in decimal.</summary>
    public static string LargeObjectPath(long oid) => "lo/" + oid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string PathPart(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (c is '%' or '/' or '\0')
                text.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            else
                text.Append(c);
        }
        return text.ToString();
    }
}
