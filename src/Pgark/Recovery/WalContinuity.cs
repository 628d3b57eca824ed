using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>The archived segments that carry WAL [From, To) along a timeline path, each one proven present.</summary>
public sealed record WalSpan(Lsn From, Lsn To, IReadOnlyList<ArchivedSegment> Segments)
{
    /// <summary>WAL bytes recovery replays.</summary>
    public long Bytes => To - From;
}

/// <summary>
/// The proof that recovery can read every byte from a backup's start to its target: for each segment the one PostgreSQL
/// would restore (<see cref="TimelinePath.TimelineForSegment"/>) is archived, completely, or, for the last segment,
/// at least up to where the target needs it.
/// </summary>
public static class WalContinuity
{
    /// <summary>Returns the segments of [from, to) or refuses with the first missing segment's file name.</summary>
    public static WalSpan Prove(WalArchiveMap map, TimelinePath path, Lsn from, Lsn to)
    {
        if (to <= from)
            return new WalSpan(from, from, []);
        int size = map.SegmentSize;
        if (size == 0)
            throw new RecoveryPlanException(RecoveryRefusal.WalGap, "the repository's WAL archive is empty",
                "archive WAL with pgark wal stream or archive_command = 'pgark wal push --repo R %p'");
        ulong first = from.SegmentNumber(size), last = (to - 1).SegmentNumber(size);
        var segments = new List<ArchivedSegment>(checked((int)(last - first + 1)));
        for (ulong n = first; n <= last; n++)
        {
            TimelineId timeline = path.TimelineForSegment(n, size);
            if (!map.TryFindSegment(timeline, n, out ArchivedSegment segment))
                throw Gap(Lsn.FromSegment(n, 0, size).WalFileName(timeline, size), "is not archived", from, to);
            Lsn needed = n == last ? to : Lsn.FromSegment(n + 1, 0, size);
            if (segment.End(size) < needed)
                throw Gap(segment.FileName(size), $"is archived only as a partial segment up to {segment.End(size)}, but recovery needs WAL up to {needed}", from, to);
            segments.Add(segment);
        }
        return new WalSpan(from, to, segments);
    }

    private static RecoveryPlanException Gap(string fileName, string what, Lsn from, Lsn to)
        => new(RecoveryRefusal.WalGap, $"WAL segment {fileName} {what} (recovery needs {from} to {to})",
            "find the segment (pg_wal of the server, another archive) and pgark wal push it; or choose a target before the gap, or a newer backup");
}
