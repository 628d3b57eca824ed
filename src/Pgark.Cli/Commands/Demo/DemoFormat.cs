using System.Globalization;

namespace Pgark.Cli.Commands;

/// <summary>How the demo writes sizes, durations and shares: one decimal, invariant culture.</summary>
internal static class DemoFormat
{
    public static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    /// <summary>Small sizes in KiB, larger ones in MiB.</summary>
    public static string Size(long bytes)
        => bytes < 1048576 ? (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB" : Mib(bytes);

    public static string Count(int count, string noun) => count.ToString(CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? "" : "s");

    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string Percent(long part, long whole)
        => (whole == 0 ? 0 : 100.0 * part / whole).ToString("0", CultureInfo.InvariantCulture) + "%";
}
