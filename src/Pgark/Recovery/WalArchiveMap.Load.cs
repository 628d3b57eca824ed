using Pgark.Repository.Format;
using Pgark.Repository.Wal;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Recovery;

public sealed partial class WalArchiveMap
{
    /// <summary>
    /// Lists one cluster's WAL objects (repository-format.md §8.2). Full segments and pieces are described by their names alone; only partials (for
    /// their valid length), one segment (for wal_segment_size) and the small history files are read. The partials and pieces
    /// of a segment in progress count as the longest prefix they hold together (spec §8.1), as <c>wal get</c> serves it.
    /// </summary>
    public static async Task<WalArchiveMap> LoadAsync(Repository.Repository repository, ulong systemIdentifier, CancellationToken cancellationToken = default)
    {
        var store = new WalStore(repository, systemIdentifier);
        IReadOnlyList<WalObjectInfo> objects = await repository.Wal.ListClusterAsync(systemIdentifier, null, cancellationToken).ConfigureAwait(false);
        var histories = new Dictionary<TimelineId, IReadOnlyList<TimelineHistoryEntry>>();
        var segments = new List<ArchivedSegment>(objects.Count);
        var inProgress = new Dictionary<string, List<(ArchivedSegment Part, int Start, int End)>>();
        int segmentSize = 0;
        foreach (WalObjectInfo info in objects)
        {
            if (info.Kind == WalKind.History)
            {
                histories[new TimelineId(info.Timeline)] = await ReadHistoryAsync(store, info, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (segmentSize == 0)
                segmentSize = await store.ReadSegmentSizeAsync(Describe(info), cancellationToken).ConfigureAwait(false);
            ArchivedSegment segment = await DescribeSegmentAsync(store, info, segmentSize, cancellationToken).ConfigureAwait(false);
            if (info.Kind == WalKind.Full)
            {
                segments.Add(segment);
                continue;
            }
            (ArchivedSegment, int, int) part = info.Kind == WalKind.Piece ? (segment, info.PieceStart, info.PieceEnd) : (segment, 0, (int)segment.ValidLength);
            if (inProgress.TryGetValue(info.WalFileName, out List<(ArchivedSegment, int, int)>? parts))
                parts.Add(part);
            else
                inProgress[info.WalFileName] = [part];
        }
        foreach (List<(ArchivedSegment, int, int)> parts in inProgress.Values)
        {
            if (Prefix(parts) is { } prefix)
                segments.Add(prefix);
        }
        return Build(segmentSize, segments, histories);
    }

    /// <summary>The prefix the parts of one segment hold together, named by the part holding its last byte; null when none starts at byte 0.</summary>
    private static ArchivedSegment? Prefix(List<(ArchivedSegment Part, int Start, int End)> parts)
    {
        (int end, List<int> chain) = WalPrefix.Assemble(parts.Select(p => (p.Start, p.End)).ToList());
        return end == 0 ? null : parts[chain[^1]].Part with { ValidLength = end };
    }

    private static async Task<ArchivedSegment> DescribeSegmentAsync(WalStore store, WalObjectInfo info, int segmentSize, CancellationToken cancellationToken)
    {
        if (!WalFileName.TryParseSegment(info.WalFileName, segmentSize, out TimelineId timeline, out ulong segmentNumber))
            throw new RecoveryPlanException(RecoveryRefusal.DamagedArchive, $"the WAL object {info.FileName} has no valid segment name",
                "run pgark check on the repository");
        if (info.Kind == WalKind.Full)
            return new ArchivedSegment(timeline, segmentNumber, IsPartial: false, segmentSize, info.FileName);
        if (info.Kind == WalKind.Piece)
            return new ArchivedSegment(timeline, segmentNumber, IsPartial: true, info.PieceEnd - info.PieceStart, info.FileName);
        // A partial's valid length is in its header (spec §8), not in its name.
        WalSegmentObject described = await store.DescribeAsync(info, cancellationToken).ConfigureAwait(false);
        return new ArchivedSegment(timeline, segmentNumber, IsPartial: true, described.ValidLength, info.FileName);
    }

    private static async Task<IReadOnlyList<TimelineHistoryEntry>> ReadHistoryAsync(WalStore store, WalObjectInfo info, CancellationToken cancellationToken)
    {
        byte[] content = await store.ReadAsync(Describe(info), cancellationToken).ConfigureAwait(false);
        try
        {
            return TimelineHistory.Parse(content);
        }
        catch (FormatException e)
        {
            throw new RecoveryPlanException(RecoveryRefusal.DamagedArchive, $"the history file {info.WalFileName} is unreadable: {e.Message}",
                "run pgark check on the repository; a damaged history file cannot decide the timeline path");
        }
    }

    private static WalSegmentObject Describe(WalObjectInfo info)
        => new(info.FileName, info.WalFileName, info.Kind, new TimelineId(info.Timeline), 0, -1, info.Length);
}
