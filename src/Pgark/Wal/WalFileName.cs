using System.Globalization;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>
/// PostgreSQL's WAL file names: <c>TTTTTTTTXXXXXXXXYYYYYYYY</c> for a segment (timeline, then the segment number split
/// into "log" and "seg" parts, upper-case hex) and <c>TTTTTTTT.history</c> for a timeline history file. Timelines are
/// hexadecimal in names (timeline 16 is <c>00000010</c>) though the replication protocol prints them in decimal.
/// </summary>
public static class WalFileName
{
    public const int SegmentNameLength = 24;

    /// <remarks>The wire layer's <see cref="Lsn.WalFileName"/> is the one XLogFileName of the engine (the repository keeps
    /// its own in WalArchive.SegmentFileName because it must not reference the wire layer).</remarks>
    public static string Segment(TimelineId timeline, ulong segmentNumber, int segmentSize)
        => Lsn.FromSegment(segmentNumber, 0, segmentSize).WalFileName(timeline, segmentSize);

    public static string History(TimelineId timeline) => string.Create(CultureInfo.InvariantCulture, $"{timeline.Value:X8}.history");

    /// <summary>Parses a segment name (optionally ending in ".partial", as PostgreSQL names a timeline's last segment).</summary>
    public static bool TryParseSegment(string name, int segmentSize, out TimelineId timeline, out ulong segmentNumber)
    {
        timeline = default;
        segmentNumber = 0;
        if (name.Length != SegmentNameLength || !name.All(char.IsAsciiHexDigitUpper))
            return false;
        uint tli = uint.Parse(name.AsSpan(0, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        uint log = uint.Parse(name.AsSpan(8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        uint seg = uint.Parse(name.AsSpan(16, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        ulong perLog = SegmentsPerLog(segmentSize);
        if (tli == 0 || seg >= perLog)
            return false;
        timeline = new TimelineId(tli);
        segmentNumber = log * perLog + seg;
        return true;
    }

    /// <summary>Parses <c>TTTTTTTT.history</c>.</summary>
    public static bool TryParseHistory(string name, out TimelineId timeline)
    {
        timeline = default;
        if (name.Length != 16 || !name.EndsWith(".history", StringComparison.Ordinal) || !name[..8].All(char.IsAsciiHexDigitUpper)
            || !uint.TryParse(name.AsSpan(0, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint tli) || tli == 0)
            return false;
        timeline = new TimelineId(tli);
        return true;
    }

    /// <summary>
    /// Recognises a backup history file, <c>TTTTTTTTXXXXXXXXYYYYYYYY.OOOOOOOO.backup</c>: the segment in which a base
    /// backup started and the byte offset of its start in that segment (PostgreSQL's BackupHistoryFileName).
    /// </summary>
    public static bool IsBackupHistory(string name)
        => name.Length == SegmentNameLength + 1 + 8 + ".backup".Length
            && name.EndsWith(".backup", StringComparison.Ordinal)
            && name[SegmentNameLength] == '.'
            && !name.AsSpan(0, SegmentNameLength).ContainsAnyExcept(s_upperHex)
            && !name.AsSpan(SegmentNameLength + 1, 8).ContainsAnyExcept(s_upperHex)
            && TimelineOf(name) is not null;

    private static readonly System.Buffers.SearchValues<char> s_upperHex = System.Buffers.SearchValues.Create("0123456789ABCDEF");

    /// <summary>The timeline part of any WAL file name, or null.</summary>
    public static TimelineId? TimelineOf(string name)
        => name.Length >= 8 && uint.TryParse(name.AsSpan(0, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint tli) && tli != 0
            ? new TimelineId(tli) : null;

    private static ulong SegmentsPerLog(int segmentSize)
    {
        if (segmentSize < 1 << 20 || segmentSize > 1 << 30 || !int.IsPow2(segmentSize))
            throw new ArgumentOutOfRangeException(nameof(segmentSize), segmentSize, "wal_segment_size must be a power of two from 1 MiB to 1 GiB");
        return 0x1_0000_0000UL / (ulong)segmentSize;
    }
}
