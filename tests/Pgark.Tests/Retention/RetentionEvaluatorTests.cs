using Pgark.Retention;

namespace Pgark.Tests.Retention;

/// <summary>restic's forget semantics on synthetic backup times (all UTC).</summary>
public sealed class RetentionEvaluatorTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static RetentionCandidate At(string id, string time, bool pinned = false)
        => new(id, "g", DateTimeOffset.Parse(time + "Z", System.Globalization.CultureInfo.InvariantCulture), pinned);

    private static string[] Kept(IReadOnlyList<RetentionDecision> decisions) => decisions.Where(d => d.Keep).Select(d => d.Backup.Id).ToArray();

    private static string Reasons(IReadOnlyList<RetentionDecision> decisions, string id)
        => string.Join(", ", decisions.Single(d => d.Backup.Id == id).Reasons);

    private static readonly RetentionCandidate[] s_twoPerDay =
    [
        At("a", "2026-11-15T01:00:00"), At("b", "2026-11-15T13:00:00"),
        At("c", "2026-11-16T01:00:00"), At("d", "2026-11-16T13:00:00"),
        At("e", "2026-11-17T01:00:00"), At("f", "2026-11-17T13:00:00"),
    ];

    [Fact]
    public void Keep_last_keeps_the_newest_n_and_lists_newest_first()
    {
        var decisions = RetentionEvaluator.Apply(s_twoPerDay, new RetentionPolicy { Last = 3 }, s_now);
        Assert.Equal(["f", "e", "d", "c", "b", "a"], decisions.Select(d => d.Backup.Id));
        Assert.Equal(["f", "e", "d"], Kept(decisions));
        Assert.Equal("last snapshot", Reasons(decisions, "d"));
        Assert.Empty(decisions.Single(d => d.Backup.Id == "c").Reasons);
    }

    [Fact]
    public void Keep_daily_keeps_the_newest_backup_of_each_day()
    {
        var decisions = RetentionEvaluator.Apply(s_twoPerDay, new RetentionPolicy { Daily = 2 }, s_now);
        Assert.Equal(["f", "d"], Kept(decisions));
    }

    [Fact]
    public void A_rule_with_count_left_at_the_oldest_backup_keeps_the_oldest_too()
    {
        var decisions = RetentionEvaluator.Apply(s_twoPerDay, new RetentionPolicy { Daily = 5 }, s_now);
        Assert.Equal(["f", "d", "b", "a"], Kept(decisions));
        Assert.Equal("oldest daily snapshot", Reasons(decisions, "a"));
    }

    [Fact]
    public void Weekly_buckets_are_iso_weeks_across_the_year_boundary()
    {
        // Monday 29 December 2025 and Friday 2 January 2026 are both in ISO week 2026-W01; Sunday 28 December is 2025-W52.
        RetentionCandidate[] backups = [At("sun", "2025-12-28T10:00:00"), At("mon", "2025-12-29T10:00:00"), At("fri", "2026-01-02T10:00:00")];
        var decisions = RetentionEvaluator.Apply(backups, new RetentionPolicy { Weekly = 2 }, s_now);
        Assert.Equal(["fri", "sun"], Kept(decisions));
    }

    [Fact]
    public void Monthly_unlimited_keeps_one_per_month_forever()
    {
        RetentionCandidate[] backups =
        [
            At("jan1", "2024-01-03T00:00:00"), At("jan2", "2024-01-30T00:00:00"), At("feb", "2024-02-10T00:00:00"),
            At("mar1", "2025-03-01T00:00:00"), At("mar2", "2025-03-31T23:59:59"),
        ];
        var decisions = RetentionEvaluator.Apply(backups, new RetentionPolicy { Monthly = RetentionPolicy.Unlimited }, s_now);
        // Unlimited keeps the oldest as well: the rule has count left at the end of the list.
        Assert.Equal(["mar2", "feb", "jan2", "jan1"], Kept(decisions));
    }

    [Fact]
    public void Within_is_measured_from_the_newest_backup_not_from_now_and_ignores_future_dates()
    {
        RetentionCandidate[] backups =
        [
            At("old", "2026-10-01T00:00:00"), At("edge", "2026-10-08T00:00:00"), At("in", "2026-10-08T00:00:01"),
            At("newest", "2026-10-10T00:00:00"), At("future", "2027-01-01T00:00:00"),
        ];
        var decisions = RetentionEvaluator.Apply(backups, new RetentionPolicy { Within = RetentionDuration.Parse("2d") }, s_now);
        // The newest time not after now is 10 October; within 2d keeps what is strictly after 8 October 00:00.
        Assert.Equal(["future", "newest", "in"], Kept(decisions));
        Assert.Equal("within 2d", Reasons(decisions, "in"));
    }

    [Fact]
    public void Policies_combine_and_every_reason_is_reported()
    {
        var decisions = RetentionEvaluator.Apply(s_twoPerDay, new RetentionPolicy { Last = 1, Daily = 2, Monthly = 1 }, s_now);
        Assert.Equal(["f", "d"], Kept(decisions));
        Assert.Equal("last snapshot, daily snapshot, monthly snapshot", Reasons(decisions, "f"));
        Assert.Equal("daily snapshot", Reasons(decisions, "d"));
    }

    [Fact]
    public void Pinned_backups_are_kept_whatever_the_policy()
    {
        RetentionCandidate[] backups = [At("p", "2020-01-01T00:00:00", pinned: true), .. s_twoPerDay];
        var decisions = RetentionEvaluator.Apply(backups, new RetentionPolicy { Last = 1 }, s_now);
        Assert.Equal(["f", "p"], Kept(decisions));
        Assert.Equal("pinned", Reasons(decisions, "p"));
    }

    [Theory]
    [InlineData("30d", 0, 0, 30, 0)]
    [InlineData("1y6m", 1, 6, 0, 0)]
    [InlineData("2d12h", 0, 0, 2, 12)]
    public void Durations_parse_like_restic(string text, int years, int months, int days, int hours)
    {
        Assert.Equal(new RetentionDuration(years, months, days, hours), RetentionDuration.Parse(text));
        Assert.Equal(text, RetentionDuration.Parse(text).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("d")]
    [InlineData("3w")]
    [InlineData("-1d")]
    public void Malformed_durations_are_refused(string text)
        => Assert.False(RetentionDuration.TryParse(text, out _));

    [Fact]
    public void A_month_before_the_31st_is_a_calendar_month()
        => Assert.Equal(new DateTimeOffset(2026, 2, 28, 0, 0, 0, TimeSpan.Zero),
            RetentionDuration.Parse("1m").Before(new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero)));
}
