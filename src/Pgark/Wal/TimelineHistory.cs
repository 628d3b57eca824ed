using System.Globalization;
using System.Text;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>One line of a timeline history file: <paramref name="Timeline"/> ended at <paramref name="SwitchPoint"/>.</summary>
public sealed record TimelineHistoryEntry(TimelineId Timeline, Lsn SwitchPoint, string Reason);

/// <summary>
/// PostgreSQL's <c>TTTTTTTT.history</c>: one line per ancestor timeline, "parentTLI &lt;tab&gt; switchpoint &lt;tab&gt; reason",
/// oldest first; blank lines and lines starting with '#' are ignored (as readTimeLineHistory does).
/// </summary>
public static class TimelineHistory
{
    public static IReadOnlyList<TimelineHistoryEntry> Parse(ReadOnlySpan<byte> content)
    {
        var entries = new List<TimelineHistoryEntry>();
        foreach (string raw in Encoding.UTF8.GetString(content).Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            string[] fields = line.Split('\t', 3);
            if (fields.Length < 2 || !uint.TryParse(fields[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uint tli) || tli == 0
                || !Lsn.TryParse(fields[1].Trim(), out Lsn switchPoint))
                throw new FormatException($"timeline history line \"{line}\" is not \"timeline<TAB>switch point<TAB>reason\"");
            entries.Add(new TimelineHistoryEntry(new TimelineId(tli), switchPoint, fields.Length > 2 ? fields[2].Trim() : ""));
        }
        return entries;
    }
}
