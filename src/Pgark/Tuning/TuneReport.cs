using Pgark.Repository.Config;

namespace Pgark.Tuning;

/// <summary>Everything <c>pgark tune</c> prints, writes as JSON or renders as HTML (spec/tune.md §6).</summary>
public sealed record TuneReport(
    TuneSample Sample,
    StorageSettings Current,
    TuneGoal Goal,
    TimeSpan? Window,
    IReadOnlyList<CandidateResult> Candidates,
    Recommendation Recommendation,
    int Workers,
    TimeSpan Elapsed)
{
    public CandidateResult Recommended => Candidates[Recommendation.Index];
}
