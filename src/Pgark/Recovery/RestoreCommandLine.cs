using System.Text;

namespace Pgark.Recovery;

/// <summary>
/// restore_command for PostgreSQL: a /bin/sh command line in which PostgreSQL first replaces %f (the file it wants) and
/// %p (where to put it), and which it runs as the server's account. Each argument is single-quoted for the shell, and
/// a literal '%' is doubled so PostgreSQL does not read it as a placeholder.
/// </summary>
public static class RestoreCommandLine
{
    /// <summary><paramref name="pgark"/> (the program, possibly "dotnet …/Pgark.Cli.dll") + <c>wal get --repo R %f %p</c>.</summary>
    public static string For(IReadOnlyList<string> pgark, string repository, string? passphraseFile = null)
    {
        var parts = new List<string>(pgark.Select(Quote)) { "wal", "get", "--repo", Quote(Path.GetFullPath(repository)) };
        if (passphraseFile is not null)
        {
            parts.Add("--passphrase-file");
            parts.Add(Quote(Path.GetFullPath(passphraseFile)));
        }
        parts.Add("%f");
        parts.Add("%p");
        return string.Join(' ', parts);
    }

    /// <summary>POSIX shell single quotes ('it'\''s'), with '%' doubled for PostgreSQL's placeholder expansion.</summary>
    public static string Quote(string argument)
    {
        var quoted = new StringBuilder(argument.Length + 2).Append('\'');
        foreach (char c in argument)
        {
            if (c == '\'')
                quoted.Append("'\\''");
            else if (c == '%')
                quoted.Append("%%");
            else
                quoted.Append(c);
        }
        return quoted.Append('\'').ToString();
    }
}
