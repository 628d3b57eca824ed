using System.Globalization;
using Pgark.Cli.Parsing;

namespace Pgark.Cli.Commands.Wal;

/// <summary>--max-rpo: a byte limit ("16MB"), a time limit ("30s", "5min", "1h") or both ("16MB,30s").</summary>
internal sealed record RpoLimit(long? Bytes, TimeSpan? Time)
{
    public static RpoLimit Parse(string text)
    {
        long? bytes = null;
        TimeSpan? time = null;
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int unitAt = part.AsSpan().IndexOfAnyExceptInRange('0', '9');
            if (unitAt <= 0 || !long.TryParse(part.AsSpan(0, unitAt), NumberStyles.None, CultureInfo.InvariantCulture, out long number))
                throw Invalid(text);
            switch (part[unitAt..])
            {
                case "B": bytes = number; break;
                case "kB": bytes = number << 10; break;
                case "MB": bytes = number << 20; break;
                case "GB": bytes = number << 30; break;
                case "s": time = TimeSpan.FromSeconds(number); break;
                case "min": time = TimeSpan.FromMinutes(number); break;
                case "h": time = TimeSpan.FromHours(number); break;
                default: throw Invalid(text);
            }
        }
        return new RpoLimit(bytes, time);
    }

    private static UsageException Invalid(string text) => new($"invalid value \"{text}\" for --max-rpo",
        "give a size (B, kB, MB, GB), a time (s, min, h) or both separated by a comma, e.g. --max-rpo 16MB,60s");
}
