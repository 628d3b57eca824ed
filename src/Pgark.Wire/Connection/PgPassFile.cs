using System.Text;

namespace Pgark.Wire.Connection;

/// <summary>
/// The libpq password file (~/.pgpass, PGPASSFILE or passfile=): lines of
/// <c>hostname:port:database:username:password</c>, the first matching line wins.
/// </summary>
/// <remarks>
/// As in libpq: '#' starts a comment line; each of the first four fields is a literal or '*' (matches anything);
/// '\' escapes the next character (so '\:' is a colon and '\*' a literal star); the password ends at the first
/// unescaped ':' or the end of the line. A file that is not a plain file, or that the group or others may access,
/// is ignored with a warning (libpq's rule, so a readable secret is not silently trusted).
/// </remarks>
internal static class PgPassFile
{
    private const UnixFileMode GroupOrWorld = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                              | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The password of the first line matching all four keys, or null (no file, no match, or ignored file).</summary>
    public static string? FindPassword(string path, string host, string port, string database, string user, List<string> warnings)
    {
        if (Directory.Exists(path))
        {
            warnings.Add($"password file \"{path}\" is not a plain file");
            return null;
        }
        if (!File.Exists(path))
            return null;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrWorld) != 0)
        {
            warnings.Add($"password file \"{path}\" has group or world access; permissions should be u=rw (0600) or less");
            return null;
        }

        string[] keys = [host, port, database, user];
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            if (line.StartsWith('#'))
                continue;
            if (TryMatch(line.TrimEnd('\r'), keys) is { } password)
                return password;
        }
        return null;
    }

    /// <summary>Returns the line's password when its first four fields match <paramref name="keys"/>, else null.</summary>
    internal static string? TryMatch(string line, string[] keys)
    {
        int pos = 0;
        foreach (string key in keys)
        {
            (string field, bool wildcard, bool terminated) = ReadField(line, ref pos);
            if (!terminated || !(wildcard || field == key))
                return null;
        }
        return ReadField(line, ref pos).Field;
    }

    /// <summary>One field up to an unescaped ':'; wildcard only for an unescaped lone '*'; terminated when a ':' ended it.</summary>
    private static (string Field, bool Wildcard, bool Terminated) ReadField(string line, ref int pos)
    {
        var field = new StringBuilder();
        bool escaped = false;
        while (pos < line.Length)
        {
            char c = line[pos++];
            if (c == '\\' && pos < line.Length)
            {
                field.Append(line[pos++]);
                escaped = true;
                continue;
            }
            if (c == ':')
                return (field.ToString(), !escaped && field.ToString() == "*", true);
            field.Append(c);
        }
        return (field.ToString(), !escaped && field.ToString() == "*", false);
    }
}
