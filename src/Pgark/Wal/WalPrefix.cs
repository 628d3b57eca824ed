namespace Pgark.Wal;

/// <summary>
/// How a segment in progress is read back from the objects that hold it (spec repository-format.md §8.1): partials hold
/// bytes [0, ValidLength), pieces [Offset, Offset + ValidLength); together they give the segment's longest contiguous prefix
/// from byte 0. Bytes after a gap are not WAL anyone can replay, so they do not count.
/// </summary>
internal static class WalPrefix
{
    /// <summary>
    /// The end of the longest prefix [0, End) the ranges cover, and the fewest ranges that cover it, in order (indexes into
    /// <paramref name="ranges"/>). Overlapping ranges are fine; End is 0 when no range starts at byte 0.
    /// </summary>
    public static (int End, List<int> Chain) Assemble(IReadOnlyList<(int Start, int End)> ranges)
    {
        var order = new int[ranges.Count];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        Array.Sort(order, (a, b) => ranges[a].Start.CompareTo(ranges[b].Start));

        // Greedy interval cover: of the ranges starting inside what is covered so far, take the one reaching furthest.
        // A range passed over ends before the one taken, so it can never extend the prefix later.
        var chain = new List<int>();
        int reach = 0;
        int next = 0;
        while (true)
        {
            int best = -1;
            int bestEnd = reach;
            for (; next < order.Length && ranges[order[next]].Start <= reach; next++)
            {
                if (ranges[order[next]].End > bestEnd)
                    (best, bestEnd) = (order[next], ranges[order[next]].End);
            }
            if (best < 0)
                return (reach, chain);
            chain.Add(best);
            reach = bestEnd;
        }
    }
}
