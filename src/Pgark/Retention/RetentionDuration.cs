using System.Globalization;

namespace Pgark.Retention;

/// <summary>
/// A calendar duration as restic writes it for <c>--keep-within</c>: numbers followed by <c>y</c> (years), <c>m</c> (months),
/// <c>d</c> (days) and <c>h</c> (hours), e.g. <c>1y6m</c>, <c>30d</c>, <c>2d12h</c>. Years and months are calendar units
/// (subtracted with AddYears/AddMonths), so "1m" before 31 March is 28 or 29 February, as restic does.
/// </summary>
public readonly record struct RetentionDuration(int Years, int Months, int Days, int Hours)
{
    public bool IsZero => Years == 0 && Months == 0 && Days == 0 && Hours == 0;

    /// <summary>The moment this duration before <paramref name="reference"/>.</summary>
    public DateTimeOffset Before(DateTimeOffset reference)
        => reference.AddYears(-Years).AddMonths(-Months).AddDays(-Days).AddHours(-Hours);

    public static RetentionDuration Parse(string text)
        => TryParse(text, out var duration) ? duration
            : throw new FormatException($"duration '{text}' is not like 1y6m, 30d or 12h (numbers followed by y, m, d or h)");

    public static bool TryParse(string? text, out RetentionDuration duration)
    {
        duration = default;
        if (string.IsNullOrEmpty(text))
            return false;
        int years = 0, months = 0, days = 0, hours = 0, start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i]))
                continue;
            if (i == start || !int.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return false;
            switch (text[i])
            {
                case 'y': years += n; break;
                case 'm': months += n; break;
                case 'd': days += n; break;
                case 'h': hours += n; break;
                default: return false;
            }
            start = i + 1;
        }
        if (start != text.Length)
            return false;
        duration = new RetentionDuration(years, months, days, hours);
        return true;
    }

    public override string ToString()
    {
        var text = (Years > 0 ? $"{Years}y" : "") + (Months > 0 ? $"{Months}m" : "") + (Days > 0 ? $"{Days}d" : "") + (Hours > 0 ? $"{Hours}h" : "");
        return text.Length == 0 ? "0h" : text;
    }
}
