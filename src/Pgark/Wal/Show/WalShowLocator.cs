using Pgark.Repository.Format;

namespace Pgark.Wal.Show;

/// <summary>
/// Finds where to start reading for a time: a binary search over the segments by the first commit or abort time in
/// each (commit timestamps grow with the LSN, up to the small disorder <see cref="WalShowRequest.Slack"/> covers).
/// Each probe reads one segment object up to its first transaction end. A probe landing on segments that end no
/// transaction moves forward to the next one that does, so a run of k commit-free segments costs up to k reads once.
/// </summary>
internal static class WalShowLocator
{
    /// <summary>The last segment whose first transaction end is at or before <paramref name="time"/> (0 when none is).</summary>
    public static Task<(int Index, int Probes)> LocateAsync(WalStore store, IReadOnlyList<WalSegmentObject> segments, int first, int last,
        DateTime time, CancellationToken cancellationToken)
        => LocateAsync(i => WalShowSegmentSource.FirstCompletionTimeAsync(store, segments[i], cancellationToken), first, last, time);

    /// <param name="firstCompletionTime">The first transaction end in segment i, or null when it has none.</param>
    internal static async Task<(int Index, int Probes)> LocateAsync(Func<int, Task<DateTime?>> firstCompletionTime, int first, int last, DateTime time)
    {
        var probed = new Dictionary<int, DateTime?>();
        int lo = first, hi = last, answer = first;
        while (lo <= hi)
        {
            int mid = lo + (hi - lo) / 2;
            (DateTime? found, int at) = (null, -1);
            for (int j = mid; j <= hi && found is null; j++)
            {
                if (!probed.TryGetValue(j, out found))
                {
                    found = await firstCompletionTime(j).ConfigureAwait(false);
                    probed[j] = found;
                }
                at = j;
            }
            if (found is null || found > time)
            {
                hi = mid - 1; // nothing at or before the time from mid on: look earlier
                continue;
            }
            answer = at;
            lo = at + 1;
        }
        return (answer, probed.Count);
    }
}
