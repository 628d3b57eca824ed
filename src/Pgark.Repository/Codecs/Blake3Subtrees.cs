using System.Diagnostics;
using System.Numerics;

namespace Pgark.Repository.Codecs;

/// <summary>
/// The aligned subtrees that cover a run of chunks, counted in chunks. A subtree of 2^k chunks that starts at a
/// multiple of 2^k is a node of every BLAKE3 tree whose input covers it, so a run of chunks [first, end) splits into
/// the largest such subtrees from left to right, like a segment tree: they grow until an aligned point, then shrink.
/// </summary>
internal static class Blake3Subtrees
{
    /// <summary>
    /// How many maximal aligned subtrees cover chunks [<paramref name="first"/>, <paramref name="end"/>). From 0 it
    /// is one per set bit of <paramref name="end"/>; otherwise the growing ones up to the aligned point where the
    /// highest differing bit of the two bounds flips, plus the shrinking ones after it.
    /// </summary>
    public static int Count(ulong first, ulong end)
    {
        if (first == 0)
        {
            return BitOperations.PopCount(end);
        }

        if (end <= first)
        {
            return 0;
        }

        int highestDifferingBit = BitOperations.Log2(first ^ end);
        ulong alignedPoint = end >> highestDifferingBit << highestDifferingBit;
        return BitOperations.PopCount(alignedPoint - first) + BitOperations.PopCount(end - alignedPoint);
    }

    /// <summary>Chunks in the largest aligned subtree that starts at chunk <paramref name="first"/> and ends by <paramref name="end"/>.</summary>
    public static ulong NextLength(ulong first, ulong end)
    {
        Debug.Assert(end > first);
        ulong fits = 1UL << BitOperations.Log2(end - first);
        return first == 0 ? fits : Math.Min(fits, first & (~first + 1));
    }
}
