using System.Globalization;

namespace Pgark.Retention;

/// <summary>
/// Applies a <see cref="RetentionPolicy"/> to the backups of one group, the way restic's forget does (its documented
/// semantics, written anew here):
/// <list type="bullet">
/// <item>Backups are visited newest first (stable for equal times).</item>
/// <item>Each counted rule has a bucket function (last: every backup its own bucket; daily: the date; weekly: the ISO
/// year and week; monthly: year and month; yearly: the year) and a remaining count. A backup whose bucket differs from the
/// previous kept bucket of that rule is kept while the count lasts, so each rule keeps the newest backup per period.</item>
/// <item>When a rule still has count left at the oldest backup, the oldest is kept too ("oldest daily snapshot"), which
/// keeps the longest history the counts allow.</item>
/// <item><c>within</c> keeps every backup whose time is after (newest backup time − duration); the newest time ignores
/// backups dated in the future, so a clock error cannot make forget drop everything.</item>
/// <item>Pinned backups are kept whatever the rules say; like restic's kept tags they still take part in the counted rules.</item>
/// </list>
/// Calendar buckets use UTC, so a verdict does not depend on where forget runs.
/// </summary>
public static class RetentionEvaluator
{
    private sealed class Bucket(string reason, int count, Func<DateTimeOffset, int, long> key)
    {
        public string Reason { get; } = reason;
        public int Count { get; set; } = count;
        public Func<DateTimeOffset, int, long> Key { get; } = key;
        public long Last { get; set; } = long.MinValue;
    }

    /// <summary>Decisions for <paramref name="group"/>, newest first. <paramref name="now"/> bounds the newest time.</summary>
    public static IReadOnlyList<RetentionDecision> Apply(IEnumerable<RetentionCandidate> group, RetentionPolicy policy, DateTimeOffset now)
    {
        var list = group.OrderByDescending(c => c.Time).ToList();
        if (list.Count == 0)
            return [];
        var buckets = new[]
        {
            new Bucket("last snapshot", policy.Last, static (_, nr) => nr),
            new Bucket("daily snapshot", policy.Daily, static (t, _) => t.Year * 10000L + t.Month * 100 + t.Day),
            new Bucket("weekly snapshot", policy.Weekly, static (t, _) => ISOWeek.GetYear(t.UtcDateTime) * 100L + ISOWeek.GetWeekOfYear(t.UtcDateTime)),
            new Bucket("monthly snapshot", policy.Monthly, static (t, _) => t.Year * 100L + t.Month),
            new Bucket("yearly snapshot", policy.Yearly, static (t, _) => t.Year),
        };
        var newest = list.Select(c => c.Time).Where(t => t <= now).DefaultIfEmpty(list[^1].Time).Max();
        var withinFrom = policy.Within.IsZero ? (DateTimeOffset?)null : policy.Within.Before(newest);

        var decisions = new List<RetentionDecision>(list.Count);
        for (var nr = 0; nr < list.Count; nr++)
        {
            var backup = list[nr];
            var time = backup.Time.ToUniversalTime();
            var reasons = new List<string>();
            if (backup.Pinned)
                reasons.Add("pinned");
            if (withinFrom is { } from && backup.Time > from)
                reasons.Add($"within {policy.Within}");
            foreach (var bucket in buckets)
            {
                if (bucket.Count == 0)
                    continue;
                var key = bucket.Key(time, nr);
                var oldest = nr == list.Count - 1;
                if (key == bucket.Last && !oldest)
                    continue;
                reasons.Add(key == bucket.Last ? "oldest " + bucket.Reason : bucket.Reason);
                bucket.Last = key;
                if (bucket.Count > 0)
                    bucket.Count--;
            }
            decisions.Add(new RetentionDecision(backup, reasons.Count > 0, reasons));
        }
        return decisions;
    }
}
