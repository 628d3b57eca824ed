using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary><paramref name="Child"/> branched off <paramref name="Parent"/> at <paramref name="SwitchPoint"/> (the child's history file says so).</summary>
/// <param name="Reason">The history file's free-text reason ("no recovery target specified", "at restore point …").</param>
public sealed record TimelineFork(TimelineId Parent, TimelineId Child, Lsn SwitchPoint, string Reason);
