using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Drill;

/// <summary>
/// Point-in-time drills: after the snapshot's own WAL, recovery needs the continuous archive. The drill copies it into
/// the restored pg_wal before the server starts (restore_command then answers "not available" for the rest): starting
/// with the snapshot's last segment (its pg_wal copy ends where the backup stopped streaming, the archived one is whole)
/// and going on segment by segment on the snapshot's timeline until the archive has no more.
/// </summary>
internal static class ArchivedWal
{
    /// <returns>How many segments were copied from the archive.</returns>
    public static async Task<int> FetchAsync(Repository.Repository repository, string dataDirectory, uint timeline, CancellationToken cancellationToken)
    {
        string walDirectory = Path.Combine(dataDirectory, "pg_wal");
        string prefix = timeline.ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
        string? last = Directory.EnumerateFiles(walDirectory, prefix + "*").Select(Path.GetFileName)
            .Where(n => n!.Length == WalFileName.SegmentNameLength).Order(StringComparer.Ordinal).LastOrDefault();
        if (last is null)
            return 0;
        int segmentSize = checked((int)new FileInfo(Path.Combine(walDirectory, last)).Length);
        ulong segment = SegmentNumber(last, segmentSize);
        var store = new WalStore(repository);
        int fetched = 0;
        while (await WalGet.GetAsync(store, Name(timeline, segment, segmentSize), Path.Combine(walDirectory, Name(timeline, segment, segmentSize)),
            cancellationToken).ConfigureAwait(false))
        {
            fetched++;
            segment++;
        }
        return fetched;
    }

    private static string Name(uint timeline, ulong segment, int segmentSize)
        => Lsn.FromSegment(segment, 0, segmentSize).WalFileName(new TimelineId(timeline), segmentSize);

    /// <summary>XLogFromFileName: LOG8 and SEG8 of the name give the segment number for this segment size.</summary>
    internal static ulong SegmentNumber(string name, int segmentSize)
    {
        ulong log = Convert.ToUInt64(name[8..16], 16);
        ulong seg = Convert.ToUInt64(name[16..24], 16);
        return log * (0x1_0000_0000UL / (ulong)segmentSize) + seg;
    }
}
