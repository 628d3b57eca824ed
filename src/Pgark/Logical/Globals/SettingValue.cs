using System.Text;

namespace Pgark.Logical.Globals;

/// <summary>
/// The value part of ALTER ROLE ... SET name TO value, from a stored "name=value" setting. List settings the server
/// stores as quoted identifier lists (search_path and the like: GUC_LIST_QUOTE) must come back as one literal per item;
/// a single literal 'a, b' would become one item named "a, b".
/// </summary>
internal static class SettingValue
{
    private static readonly HashSet<string> s_quotedLists = new(StringComparer.OrdinalIgnoreCase)
    {
        "search_path", "temp_tablespaces", "local_preload_libraries", "session_preload_libraries", "shared_preload_libraries",
    };

    public static string ToSql(string name, string value) =>
        s_quotedLists.Contains(name) ? string.Join(", ", Split(value).Select(SqlText.Literal)) : SqlText.Literal(value);

    /// <summary>Splits at commas outside double quotes; "" inside quotes is one quote; unquoted items are trimmed.</summary>
    internal static List<string> Split(string list)
    {
        var items = new List<string>();
        var item = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        for (int i = 0; i < list.Length; i++)
        {
            char c = list[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < list.Length && list[i + 1] == '"')
                {
                    item.Append('"');
                    i++;
                }
                else if (c == '"')
                    quoted = false;
                else
                    item.Append(c);
            }
            else if (c == '"')
            {
                quoted = wasQuoted = true;
            }
            else if (c == ',')
            {
                items.Add(wasQuoted ? item.ToString() : item.ToString().Trim());
                item.Clear();
                wasQuoted = false;
            }
            else if (!char.IsWhiteSpace(c) || (item.Length > 0 && !wasQuoted))
            {
                item.Append(c);
            }
        }
        if (item.Length > 0 || wasQuoted || items.Count > 0)
            items.Add(wasQuoted ? item.ToString() : item.ToString().Trim());
        return items;
    }
}
