using Pgark.Wire.Replication;

namespace Pgark.Recovery;

/// <summary>
/// recovery_target_timeline: <c>latest</c> (PostgreSQL's default since 12: the newest timeline in the archive),
/// <c>current</c> (the backup's own timeline) or a timeline number.
/// </summary>
public readonly record struct TimelineChoice(TimelineId? Explicit, bool Current)
{
    public static readonly TimelineChoice Latest = new(null, false);

    public static readonly TimelineChoice CurrentTimeline = new(null, true);

    public static TimelineChoice Of(TimelineId timeline) => new(timeline, false);

    /// <summary>Parses "latest", "current" or a decimal timeline number.</summary>
    public static bool TryParse(string text, out TimelineChoice choice)
    {
        choice = text switch { "latest" => Latest, "current" => CurrentTimeline, _ => default };
        if (text is "latest" or "current")
            return true;
        if (uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint value) && value > 0)
        {
            choice = Of(new TimelineId(value));
            return true;
        }
        return false;
    }

    public override string ToString() => Explicit is { } t ? t.ToString() : Current ? "current" : "latest";
}
