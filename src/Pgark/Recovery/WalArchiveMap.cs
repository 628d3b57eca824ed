using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// What the repository's WAL archive holds, from object names and headers only (no WAL is decoded): per timeline the
/// archived segments and their contiguous ranges, the history files and the timeline ancestry they record. Built once
/// per plan; lookups are binary searches, so proving continuity over 10,000 segments costs microseconds per segment.
/// </summary>
/// <remarks>Load with <see cref="LoadAsync"/>; tests and benchmarks build synthetic maps with <see cref="Build"/>.</remarks>
public sealed partial class WalArchiveMap
{
    private readonly Dictionary<TimelineId, TimelineWal> _timelines;
    private readonly Dictionary<TimelineId, IReadOnlyList<TimelineHistoryEntry>> _histories;

    private WalArchiveMap(int segmentSize, Dictionary<TimelineId, TimelineWal> timelines,
        Dictionary<TimelineId, IReadOnlyList<TimelineHistoryEntry>> histories)
    {
        SegmentSize = segmentSize;
        _timelines = timelines;
        _histories = histories;
    }

    /// <summary>wal_segment_size of the archived WAL (0 when the archive holds no segment).</summary>
    public int SegmentSize { get; }

    /// <summary>Timelines with at least one archived segment, oldest first.</summary>
    public IReadOnlyList<TimelineWal> Timelines => [.. _timelines.Values.OrderBy(t => t.Timeline)];

    /// <summary>Timelines whose history file is archived.</summary>
    public IReadOnlyCollection<TimelineId> HistoryFiles => _histories.Keys;

    /// <summary>The newest timeline the archive knows of, by a segment or a history file (null when empty).</summary>
    public TimelineId? LatestTimeline => _timelines.Keys.Concat(_histories.Keys).Select(t => (TimelineId?)t).Max();

    /// <summary>Every fork a history file records (each history file's last line names the parent of its timeline).</summary>
    public IReadOnlyList<TimelineFork> Forks => [.. _histories.Where(h => h.Value.Count > 0).OrderBy(h => h.Key)
        .Select(h => new TimelineFork(h.Value[^1].Timeline, h.Key, h.Value[^1].SwitchPoint, h.Value[^1].Reason))];

    /// <summary>The archived WAL of one timeline, or null when none is archived.</summary>
    public TimelineWal? Timeline(TimelineId timeline) => _timelines.GetValueOrDefault(timeline);

    public bool HasHistory(TimelineId timeline) => _histories.ContainsKey(timeline);

    /// <summary>The stored segment PostgreSQL would be handed for (timeline, segment number).</summary>
    public bool TryFindSegment(TimelineId timeline, ulong segmentNumber, out ArchivedSegment segment)
    {
        segment = default;
        return _timelines.TryGetValue(timeline, out TimelineWal? wal) && wal.TryFind(segmentNumber, out segment);
    }

    /// <summary>
    /// The path of <paramref name="timeline"/>: itself for timeline 1, otherwise read from its history file. Null when a
    /// timeline above 1 has no archived history file (its ancestry is then unknown).
    /// </summary>
    public TimelinePath? PathTo(TimelineId timeline)
    {
        if (_histories.TryGetValue(timeline, out IReadOnlyList<TimelineHistoryEntry>? history))
            return TimelinePath.FromHistory(timeline, history);
        return timeline.Value == 1 ? TimelinePath.Single(timeline) : null;
    }

    /// <summary>
    /// A map from already-described objects: several objects for one segment collapse to the best (full, else the longest
    /// partial), as <c>wal get</c> chooses.
    /// </summary>
    public static WalArchiveMap Build(int segmentSize, IEnumerable<ArchivedSegment> segments,
        IReadOnlyDictionary<TimelineId, IReadOnlyList<TimelineHistoryEntry>> histories)
    {
        var byTimeline = new Dictionary<TimelineId, List<ArchivedSegment>>();
        foreach (ArchivedSegment segment in segments)
        {
            if (!byTimeline.TryGetValue(segment.Timeline, out List<ArchivedSegment>? list))
                byTimeline[segment.Timeline] = list = [];
            list.Add(segment);
        }
        var timelines = new Dictionary<TimelineId, TimelineWal>(byTimeline.Count);
        foreach ((TimelineId timeline, List<ArchivedSegment> list) in byTimeline)
            timelines[timeline] = new TimelineWal(timeline, Best(list), segmentSize);
        return new WalArchiveMap(segmentSize, timelines, new Dictionary<TimelineId, IReadOnlyList<TimelineHistoryEntry>>(histories));
    }

    private static ArchivedSegment[] Best(List<ArchivedSegment> segments)
    {
        segments.Sort(static (a, b) => a.SegmentNumber != b.SegmentNumber ? a.SegmentNumber.CompareTo(b.SegmentNumber)
            : a.IsPartial != b.IsPartial ? (a.IsPartial ? 1 : -1) : b.ValidLength.CompareTo(a.ValidLength));
        var best = new List<ArchivedSegment>(segments.Count);
        foreach (ArchivedSegment segment in segments)
        {
            if (best.Count == 0 || best[^1].SegmentNumber != segment.SegmentNumber)
                best.Add(segment);
        }
        return [.. best];
    }
}
