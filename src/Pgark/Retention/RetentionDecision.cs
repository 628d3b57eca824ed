namespace Pgark.Retention;

/// <summary>A backup as the policy sees it: an identity, a group (cluster and kind), a start time, and whether it is pinned.</summary>
public sealed record RetentionCandidate(string Id, string Group, DateTimeOffset Time, bool Pinned);

/// <summary>What the policy decided for one backup: kept with reasons (restic's wording), or removed.</summary>
public sealed record RetentionDecision(RetentionCandidate Backup, bool Keep, IReadOnlyList<string> Reasons);
