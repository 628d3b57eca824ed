using System.Text;

namespace Pgark.Recovery;

/// <summary>
/// restore_command for PostgreSQL: a /bin/sh command line in which PostgreSQL first replaces %f (the file it wants) and
/// %p (where to put it), and which it runs as the server's account. Each argument is single-quoted for the shell, and
/// a literal '%' is doubled so PostgreSQL does not read it as a placeholder.
/// </summary>
public static class RestoreCommandLine
{
    /// <summary>
    /// <paramref name="pgark"/> (the program, possibly "dotnet …/Pgark.Cli.dll") + <c>wal get --repo R [--system-id N] %f %p</c>:
    /// with the cluster named, recovery reads that cluster's WAL even when the repository holds several (repository-format.md §8.2).
    /// </summary>
    public static string For(IReadOnlyList<string> pgark, string repository, string? passphraseFile = null, ulong? systemIdentifier = null)
    {
        var parts = new List<string>(pgark.Select(Quote)) { "wal", "get", "--repo", Quote(Path.GetFullPath(repository)) };
        if (passphraseFile is not null)
        {
            parts.Add("--passphrase-file");
            parts.Add(Quote(Path.GetFullPath(passphraseFile)));
        }
        if (systemIdentifier is { } system)
        {
            parts.Add(SystemIdOption);
            parts.Add(system.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        parts.Add(Placeholders.TrimStart());
        return string.Join(' ', parts);
    }

    private const string SystemIdOption = "--system-id";
    private const string Placeholders = " %f %p";

    /// <summary>
    /// A command line <see cref="For"/> built without the cluster, with <c>--system-id N</c> added before <c>%f %p</c>; any other
    /// command (one the user wrote, or one that already names a cluster) is returned as it is.
    /// </summary>
    public static string ForCluster(string restoreCommand, ulong systemIdentifier)
        => restoreCommand.EndsWith(Placeholders, StringComparison.Ordinal) && restoreCommand.Contains(" wal get --repo ", StringComparison.Ordinal)
            && !restoreCommand.Contains(SystemIdOption, StringComparison.Ordinal)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{restoreCommand[..^Placeholders.Length]} {SystemIdOption} {systemIdentifier}{Placeholders}")
            : restoreCommand;

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
