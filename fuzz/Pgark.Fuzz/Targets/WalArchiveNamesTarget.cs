using System.Text;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Fuzz;

/// <summary>
/// What a WAL archiver reads from untrusted places: timeline history files (from the server and from the archive),
/// WAL file names (from restore_command/archive_command arguments and object names) and a segment's long page
/// header. Accepted: parsed values, false from TryParse*, FormatException from the history parser. Checks that
/// accepted names format back to the same text and that a parsed history has one entry per non-comment line.
/// </summary>
internal sealed class WalArchiveNamesTarget : IFuzzTarget
{
    private const int SegmentSize = 16 << 20;

    public string Name => "wal-archive-names";

    public IReadOnlyList<byte[]> Seeds(string repositoryRoot) =>
    [
        "1\t0/3000148\tno recovery target specified\n"u8.ToArray(),
        "1\t0/3000148\tno recovery target specified\n\n# comment\n16\tA/FF000000\tbefore 2026-11-21 06:00:00+00\n"u8.ToArray(),
        "000000100000000A000000FF"u8.ToArray(),
        "0000001A.history"u8.ToArray(),
    ];

    public void Run(ReadOnlySpan<byte> input)
    {
        CheckHistory(input);
        CheckName(Encoding.Latin1.GetString(input));
        WalPageHeader.TryReadSystemIdentifier(input);
    }

    private static void CheckHistory(ReadOnlySpan<byte> input)
    {
        IReadOnlyList<TimelineHistoryEntry> entries;
        try
        {
            entries = TimelineHistory.Parse(input);
        }
        catch (FormatException)
        {
            return;
        }
        // One entry per line that is neither blank nor a comment (readTimeLineHistory's rule), each with a real timeline.
        int lines = Encoding.UTF8.GetString(input).Split('\n').Count(l => l.Trim() is { Length: > 0 } t && t[0] != '#');
        if (entries.Count != lines)
            throw new FuzzViolation($"{entries.Count} history entries from {lines} lines");
        foreach (TimelineHistoryEntry entry in entries)
        {
            if (entry.Timeline.Value == 0)
                throw new FuzzViolation("history entry with timeline 0 accepted");
        }
    }

    private static void CheckName(string name)
    {
        if (WalFileName.TryParseSegment(name, SegmentSize, out TimelineId timeline, out ulong segment)
            && WalFileName.Segment(timeline, segment, SegmentSize) != name)
            throw new FuzzViolation($"segment name \"{name}\" parsed to {timeline}/{segment}, which formats differently");
        if (WalFileName.TryParseHistory(name, out TimelineId historyTimeline) && WalFileName.History(historyTimeline) != name)
            throw new FuzzViolation($"history name \"{name}\" parsed to timeline {historyTimeline}, which formats differently");
    }
}
