using System.Globalization;

namespace Pgark.Wire.Replication;

/// <summary>A PostgreSQL timeline (TimeLineID): starts at 1, each promotion forks a new one.</summary>
public readonly record struct TimelineId(uint Value) : IComparable<TimelineId>
{
    /// <summary>Parses the decimal form used by IDENTIFY_SYSTEM and READ_REPLICATION_SLOT.</summary>
    public static TimelineId Parse(string text) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint value) && value != 0
            ? new TimelineId(value)
            : throw new FormatException($"'{text}' is not a timeline id; expected a positive decimal number");

    /// <summary>"0000000X.history": the timeline history file name.</summary>
    public string HistoryFileName => $"{Value:X8}.history";

    public int CompareTo(TimelineId other) => Value.CompareTo(other.Value);

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    public static bool operator <(TimelineId left, TimelineId right) => left.Value < right.Value;
    public static bool operator >(TimelineId left, TimelineId right) => left.Value > right.Value;
    public static bool operator <=(TimelineId left, TimelineId right) => left.Value <= right.Value;
    public static bool operator >=(TimelineId left, TimelineId right) => left.Value >= right.Value;
}
