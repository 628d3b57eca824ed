using Pgark.Recovery;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Recovery;

/// <summary>WAL content for planner tests: marks by position, served per (timeline, segment) as ArchivedWalMarks would.</summary>
internal sealed class ScriptedWalMarks : IWalMarkSource
{
    private readonly List<(TimelineId Timeline, WalMark Mark)> _marks = [];
    public readonly List<(TimelineId, ulong)> Reads = [];

    public static readonly DateTimeOffset T0 = new(2026, 11, 21, 17, 0, 0, TimeSpan.Zero);

    /// <summary>A commit at byte <paramref name="offset"/> of segment <paramref name="segment"/>, <paramref name="seconds"/> after T0.</summary>
    public ScriptedWalMarks Commit(TimelineId timeline, ulong segment, int offset, uint xid, double seconds)
    {
        Lsn at = Lsn.FromSegment(segment, offset, SyntheticArchive.SegmentSize);
        _marks.Add((timeline, new WalMark(WalMarkKind.Commit, at, at + 40, xid, T0.AddSeconds(seconds))));
        return this;
    }

    public ScriptedWalMarks RestorePoint(TimelineId timeline, ulong segment, int offset, string name)
    {
        Lsn at = Lsn.FromSegment(segment, offset, SyntheticArchive.SegmentSize);
        _marks.Add((timeline, new WalMark(WalMarkKind.RestorePoint, at, at + 96, 0, T0, name)));
        return this;
    }

    public Task<SegmentMarks> ReadAsync(ArchivedSegment segment, ArchivedSegment? next, CancellationToken cancellationToken)
    {
        Reads.Add((segment.Timeline, segment.SegmentNumber));
        var marks = _marks.Where(m => m.Timeline == segment.Timeline && m.Mark.Lsn.SegmentNumber(SyntheticArchive.SegmentSize) == segment.SegmentNumber)
            .Select(m => m.Mark).OrderBy(m => m.Lsn).ToList();
        return Task.FromResult(new SegmentMarks(marks, segment.End(SyntheticArchive.SegmentSize)));
    }
}
