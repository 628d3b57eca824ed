using System.Text;

namespace Pgark.Wire.Connection;

/// <summary>
/// Splits a libpq connection string into (keyword, value) pairs, in order, without interpreting values.
/// Two syntaxes, as libpq's conninfo_parse and conninfo_uri_parse accept them:
/// <c>key=value key2='quoted \' value'</c> and <c>postgresql://user:password@host:port/dbname?key=value</c>.
/// </summary>
internal static partial class ConnInfoParser
{
    private static readonly string[] s_uriPrefixes = ["postgresql://", "postgres://"];

    public static List<KeyValuePair<string, string>> Parse(string conninfo)
    {
        foreach (string prefix in s_uriPrefixes)
        {
            if (conninfo.StartsWith(prefix, StringComparison.Ordinal))
                return ParseUri(conninfo, prefix.Length);
        }
        return ParseKeyValue(conninfo);
    }

    /// <summary><c>key = value</c> pairs separated by whitespace; values may be single-quoted; '\' escapes the next character.</summary>
    private static List<KeyValuePair<string, string>> ParseKeyValue(string conninfo)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        int pos = 0;
        while (true)
        {
            SkipSpaces(conninfo, ref pos);
            if (pos >= conninfo.Length)
                return pairs;

            int keyStart = pos;
            while (pos < conninfo.Length && conninfo[pos] != '=' && !char.IsWhiteSpace(conninfo[pos]))
                pos++;
            string key = conninfo[keyStart..pos];
            SkipSpaces(conninfo, ref pos);
            if (pos >= conninfo.Length || conninfo[pos] != '=')
                throw new ConnectionStringException(
                    $"missing \"=\" after \"{key}\" in connection info string; write key=value pairs such as \"host=db1 user=backup\" or a postgresql:// URI");
            pos++;
            SkipSpaces(conninfo, ref pos);
            pairs.Add(new(key, ReadValue(conninfo, ref pos)));
        }
    }

    private static string ReadValue(string conninfo, ref int pos)
    {
        var value = new StringBuilder();
        if (pos < conninfo.Length && conninfo[pos] == '\'')
        {
            pos++;
            while (true)
            {
                if (pos >= conninfo.Length)
                    throw new ConnectionStringException("unterminated quoted string in connection info string; close the value with a single quote");
                char c = conninfo[pos++];
                if (c == '\'')
                    return value.ToString();
                if (c == '\\' && pos < conninfo.Length)
                    c = conninfo[pos++];
                value.Append(c);
            }
        }
        while (pos < conninfo.Length && !char.IsWhiteSpace(conninfo[pos]))
        {
            char c = conninfo[pos++];
            if (c == '\\' && pos < conninfo.Length)
                c = conninfo[pos++];
            value.Append(c);
        }
        return value.ToString();
    }

    private static void SkipSpaces(string s, ref int pos)
    {
        while (pos < s.Length && char.IsWhiteSpace(s[pos]))
            pos++;
    }

    /// <summary>
    /// <c>postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&amp;...]</c>; every part is
    /// percent-decoded, an IPv6 address is written in brackets, and an empty part means "not given".
    /// </summary>
    private static List<KeyValuePair<string, string>> ParseUri(string uri, int pos)
    {
        var pairs = new List<KeyValuePair<string, string>>();

        // User info is everything before an '@' that comes before the first '/'.
        int at = uri.IndexOf('@', pos);
        int slash = uri.IndexOf('/', pos);
        if (at >= 0 && (slash < 0 || at < slash))
        {
            string userInfo = uri[pos..at];
            int colon = userInfo.IndexOf(':');
            string user = colon < 0 ? userInfo : userInfo[..colon];
            if (user.Length > 0)
                pairs.Add(new("user", PercentDecode(user, uri)));
            if (colon >= 0)
                pairs.Add(new("password", PercentDecode(userInfo[(colon + 1)..], uri)));
            pos = at + 1;
        }

        var hosts = new List<string>();
        var ports = new List<string>();
        while (true)
        {
            string host;
            if (pos < uri.Length && uri[pos] == '[')
            {
                int close = uri.IndexOf(']', pos);
                if (close < 0)
                    throw new ConnectionStringException($"missing \"]\" after the IPv6 address in URI \"{Redact(uri)}\"");
                host = uri[(pos + 1)..close];
                if (host.Length == 0)
                    throw new ConnectionStringException($"empty IPv6 address \"[]\" in URI \"{Redact(uri)}\"");
                pos = close + 1;
                if (pos < uri.Length && uri[pos] is not (':' or '/' or '?' or ','))
                    throw new ConnectionStringException(
                        $"unexpected character \"{uri[pos]}\" after the IPv6 address in URI \"{Redact(uri)}\" (expected \":\", \"/\", \"?\" or \",\")");
            }
            else
            {
                int end = IndexOfAny(uri, pos, ":/?,");
                host = PercentDecode(uri[pos..end], uri);
                pos = end;
            }
            string port = "";
            if (pos < uri.Length && uri[pos] == ':')
            {
                int end = IndexOfAny(uri, pos + 1, "/?,");
                port = PercentDecode(uri[(pos + 1)..end], uri);
                pos = end;
            }
            hosts.Add(host);
            ports.Add(port);
            if (pos < uri.Length && uri[pos] == ',')
            {
                pos++;
                continue;
            }
            break;
        }
        if (hosts.Count > 1 || hosts[0].Length > 0)
            pairs.Add(new("host", string.Join(',', hosts)));
        if (ports.Count > 1 || ports[0].Length > 0)
            pairs.Add(new("port", string.Join(',', ports)));

        if (pos < uri.Length && uri[pos] == '/')
        {
            int end = IndexOfAny(uri, pos + 1, "?");
            string database = PercentDecode(uri[(pos + 1)..end], uri);
            if (database.Length > 0)
                pairs.Add(new("dbname", database));
            pos = end;
        }

        if (pos < uri.Length && uri[pos] == '?')
            AddQueryParameters(uri, uri[(pos + 1)..], pairs);
        return pairs;
    }

    private static void AddQueryParameters(string uri, string query, List<KeyValuePair<string, string>> pairs)
    {
        foreach (string parameter in query.Split('&'))
        {
            if (parameter.Length == 0)
                continue;
            int equals = parameter.IndexOf('=');
            if (equals < 0)
                throw new ConnectionStringException($"missing \"=\" in URI query parameter \"{parameter}\"; write ?key=value&key2=value2");
            if (parameter.IndexOf('=', equals + 1) >= 0)
                throw new ConnectionStringException($"extra \"=\" in URI query parameter \"{parameter}\"; percent-encode it as %3D");
            string key = PercentDecode(parameter[..equals], uri);
            string value = PercentDecode(parameter[(equals + 1)..], uri);
            // libpq accepts the JDBC spelling ssl=true as sslmode=require.
            if (key == "ssl" && value == "true")
                (key, value) = ("sslmode", "require");
            pairs.Add(new(key, value));
        }
    }

    private static int IndexOfAny(string s, int start, string stops)
    {
        int index = s.AsSpan(start).IndexOfAny(stops);
        return index < 0 ? s.Length : start + index;
    }

    /// <summary>%XX decoding; the decoded bytes are UTF-8. %00 is refused: it would truncate the value in libpq.</summary>
    private static string PercentDecode(string text, string uri)
    {
        if (!text.Contains('%'))
            return text;
        var bytes = new List<byte>(text.Length);
        int literalStart = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
                continue;
            // Literal text is encoded as a whole run, so characters outside the BMP (surrogate pairs) stay intact.
            bytes.AddRange(Encoding.UTF8.GetBytes(text[literalStart..i]));
            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                throw new ConnectionStringException($"invalid percent-encoding \"{text[i..Math.Min(i + 3, text.Length)]}\" in URI \"{Redact(uri)}\"; write %XX with two hex digits");
            byte b = Convert.ToByte(text.Substring(i + 1, 2), 16);
            if (b == 0)
                throw new ConnectionStringException($"forbidden value %00 in URI \"{Redact(uri)}\"");
            bytes.Add(b);
            i += 2;
            literalStart = i + 1;
        }
        bytes.AddRange(Encoding.UTF8.GetBytes(text[literalStart..]));
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The URI with any password (user info or ?password=) replaced by "***", so errors never print a secret.</summary>
    internal static string Redact(string uri)
    {
        string redacted = QueryPassword().Replace(uri, "$1***");
        int schemeEnd = redacted.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
            return redacted;
        int start = schemeEnd + 3;
        int at = redacted.IndexOf('@', start);
        int slash = redacted.IndexOf('/', start);
        if (at < 0 || (slash >= 0 && slash < at))
            return redacted;
        int colon = redacted.IndexOf(':', start);
        if (colon < 0 || colon > at)
            return redacted;
        return string.Concat(redacted.AsSpan(0, colon + 1), "***", redacted.AsSpan(at));
    }

    [System.Text.RegularExpressions.GeneratedRegex("([?&]password=)[^&]*")]
    private static partial System.Text.RegularExpressions.Regex QueryPassword();
}
