using System.Globalization;
using System.Text;

namespace Pgark.Cli.Progress;

/// <summary>The text of <see cref="TerminalProgress"/>'s line: bar, percent, done of total, rate, ETA, detail.</summary>
internal static class ProgressText
{
    /// <summary>Narrow enough that phase, bar, amounts, rate and ETA fit 80 columns ("restore [...] 47%  259.1 MiB of 543.5 MiB  137.1 MiB/s  ETA 0:05").</summary>
    public const int BarWidth = 16;

    /// <summary>Rate and ETA wait for half a second of a phase: the first reports' rate is mostly start-up noise.</summary>
    private const double MinimumSecondsForRate = 0.5;

    /// <param name="seconds">Time since the phase began.</param>
    /// <param name="doneInPhase">Work done since the phase began (the rate's numerator).</param>
    public static string Line(string phase, long done, long? total, string detail, string? unit, double seconds, long doneInPhase)
    {
        var line = new StringBuilder(phase);
        if (total is { } whole)
        {
            var fraction = whole <= 0 ? 1 : Math.Clamp((double)done / whole, 0, 1);
            var filled = (int)(fraction * BarWidth);
            line.Append(" [").Append('#', filled).Append('-', BarWidth - filled).Append(']')
                .Append(CultureInfo.InvariantCulture, $" {(int)(fraction * 100),3}%  ")
                .Append(Amount(done, unit)).Append(" of ").Append(Amount(whole, unit)).Append(unit is null ? "" : " " + unit);
        }
        else
        {
            line.Append("  ").Append(Amount(done, unit)).Append(unit is null ? "" : " " + unit);
        }
        if (seconds >= MinimumSecondsForRate && doneInPhase > 0)
        {
            var rate = doneInPhase / seconds;
            line.Append("  ").Append(unit is null ? Bytes((long)rate) : rate.ToString("0.0", CultureInfo.InvariantCulture)).Append("/s");
            if (total is { } all && all > done)
                line.Append("  ETA ").Append(Duration((all - done) / rate));
        }
        if (detail.Length > 0)
            line.Append("  ").Append(detail);
        return line.ToString();
    }

    private static string Amount(long value, string? unit) => unit is null ? Bytes(value) : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Binary units with one decimal from KiB up: "512 B", "12.3 KiB", "1.2 GiB".</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1024)
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = bytes;
        var unit = -1;
        do
        {
            value /= 1024;
            unit++;
        }
        while (value >= 1024 && unit < units.Length - 1);
        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>"0:07", "12:05", "3:02:41"; more than 99 hours reads "&gt;99h" (a rate that low is no forecast).</summary>
    public static string Duration(double seconds)
    {
        if (double.IsNaN(seconds) || seconds >= 99 * 3600)
            return ">99h";
        var whole = (long)Math.Ceiling(Math.Max(seconds, 0));
        var (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
        return h > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{h}:{m:00}:{s:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{m}:{s:00}");
    }
}
