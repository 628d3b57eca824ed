using System.Text;

namespace Pgark.Recovery;

/// <summary>
/// Makes a restored data directory recover: the settings go into postgresql.auto.conf (read last, so they win over
/// postgresql.conf and its includes) replacing earlier lines for the same parameters, and recovery.signal asks for
/// targeted archive recovery (PostgreSQL 12 and later).
/// </summary>
public static class RecoveryConfigWriter
{
    public const string AutoConfFileName = "postgresql.auto.conf";
    public const string SignalFileName = "recovery.signal";

    public static void Write(string dataDirectory, IReadOnlyList<KeyValuePair<string, string>> settings, string planSummary)
    {
        string path = Path.Combine(dataDirectory, AutoConfFileName);
        var names = settings.Select(s => s.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var text = new StringBuilder();
        if (File.Exists(path))
        {
            foreach (string line in File.ReadLines(path).Where(l => !names.Contains(ParameterName(l))))
                text.Append(line).Append('\n');
        }
        text.Append("# pgark restore: ").Append(planSummary.ReplaceLineEndings(" ")).Append('\n');
        foreach ((string name, string value) in settings)
            text.Append(name).Append(" = ").Append(RecoverySettings.QuoteValue(value)).Append('\n');
        WriteDurably(path, text.ToString());
        WriteDurably(Path.Combine(dataDirectory, SignalFileName), "");
    }

    private static string ParameterName(string line)
    {
        string trimmed = line.TrimStart();
        int end = trimmed.IndexOfAny([' ', '\t', '=']);
        return end < 0 ? trimmed : trimmed[..end];
    }

    private static void WriteDurably(string path, string content)
    {
        using var stream = new FileStream(path, Physical.Restore.PrivateModes.NewFile(FileMode.Create));
        stream.Write(Encoding.UTF8.GetBytes(content));
        stream.Flush(flushToDisk: true);
    }
}
