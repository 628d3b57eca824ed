using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// One timeline of a path: its WAL is the path's WAL in [<paramref name="Begin"/>, <paramref name="End"/>). End is the
/// switch point where the next timeline of the path branched off, or <see cref="TimelinePath.Open"/> for the target.
/// </summary>
public readonly record struct TimelineStep(TimelineId Timeline, Lsn Begin, Lsn End);

/// <summary>
/// The history a recovery to <see cref="Target"/> replays, oldest timeline first (PostgreSQL's expectedTLEs, read from
/// the target's history file). PostgreSQL reads each segment from the newest timeline of the path whose begin lies in
/// or before that segment, so the segment holding a switch point comes from the child timeline; this class answers
/// the same question with <see cref="TimelineForSegment"/>.
/// </summary>
public sealed class TimelinePath
{
    /// <summary>The end of the last step: the target timeline has no switch point.</summary>
    public static readonly Lsn Open = new(ulong.MaxValue);

    private readonly TimelineStep[] _steps;

    public TimelinePath(IReadOnlyList<TimelineStep> steps)
    {
        if (steps.Count == 0)
            throw new ArgumentException("a timeline path has at least one timeline", nameof(steps));
        _steps = [.. steps];
    }

    /// <summary>Timeline 1 alone, or any timeline whose whole history is itself.</summary>
    public static TimelinePath Single(TimelineId timeline) => new([new TimelineStep(timeline, Lsn.Invalid, Open)]);

    /// <summary>
    /// The path of <paramref name="target"/> from its history file's entries (each ancestor and where it ended, oldest
    /// first, as PostgreSQL writes them).
    /// </summary>
    public static TimelinePath FromHistory(TimelineId target, IReadOnlyList<Wal.TimelineHistoryEntry> history)
    {
        var steps = new List<TimelineStep>(history.Count + 1);
        Lsn begin = Lsn.Invalid;
        foreach (Wal.TimelineHistoryEntry entry in history)
        {
            steps.Add(new TimelineStep(entry.Timeline, begin, entry.SwitchPoint));
            begin = entry.SwitchPoint;
        }
        steps.Add(new TimelineStep(target, begin, Open));
        return new TimelinePath(steps);
    }

    public IReadOnlyList<TimelineStep> Steps => _steps;

    public TimelineId Target => _steps[^1].Timeline;

    public bool Contains(TimelineId timeline) => Array.FindIndex(_steps, s => s.Timeline == timeline) >= 0;

    /// <summary>Where <paramref name="timeline"/> stops being on this path (its switch point), or null when it is not on it.</summary>
    public Lsn? EndOf(TimelineId timeline) => Array.Find(_steps, s => s.Timeline == timeline) is { Timeline.Value: > 0 } step ? step.End : null;

    /// <summary>The timeline whose WAL holds <paramref name="lsn"/> on this path.</summary>
    public TimelineId TimelineAt(Lsn lsn)
    {
        foreach (TimelineStep step in _steps)
        {
            if (lsn < step.End)
                return step.Timeline;
        }
        return Target;
    }

    /// <summary>The timeline PostgreSQL restores segment <paramref name="segmentNumber"/> from (newest step beginning in or before it).</summary>
    public TimelineId TimelineForSegment(ulong segmentNumber, int segmentSize)
    {
        for (int i = _steps.Length - 1; i > 0; i--)
        {
            if (_steps[i].Begin.SegmentNumber(segmentSize) <= segmentNumber)
                return _steps[i].Timeline;
        }
        return _steps[0].Timeline;
    }

    /// <summary>"1 → 2 (at 0/3000148) → 3 (at 0/5000000)".</summary>
    public override string ToString()
        => string.Join(" → ", _steps.Select((s, i) => i == 0 ? s.Timeline.ToString() : $"{s.Timeline} (at {s.Begin})"));
}
