using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// A contiguous run of archived segments on one timeline, [<paramref name="Start"/>, <paramref name="End"/>): every
/// segment from <paramref name="FirstSegment"/> to <paramref name="LastSegment"/> is stored, all full except possibly the
/// last (<paramref name="EndsWithPartial"/>), whose valid length sets <paramref name="End"/>.
/// </summary>
public sealed record WalRange(TimelineId Timeline, ulong FirstSegment, ulong LastSegment, Lsn Start, Lsn End, bool EndsWithPartial)
{
    public int SegmentCount => checked((int)(LastSegment - FirstSegment + 1));

    public bool Contains(Lsn lsn) => lsn >= Start && lsn < End;
}
