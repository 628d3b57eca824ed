using System.Diagnostics.CodeAnalysis;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// The hashed bytes [<see cref="Offset"/>, <see cref="Offset"/> + <see cref="Length"/>) of a larger input, from
/// <see cref="Blake3RangeHasher.Complete"/>: the chaining values of the range's maximal aligned subtrees, plus, when
/// the range may end the input, its last node unfinalized. <see cref="Root"/> joins the ranges of one input into
/// its plain BLAKE3 hash. Immutable, so ranges hashed on different threads can be joined anywhere.
/// </summary>
/// <remarks>
/// Why the joined hash is the standard one: BLAKE3's tree over n chunks is the one its chaining-value stack builds,
/// where every subtree of 2^k chunks that starts at a multiple of 2^k (an aligned subtree) and lies inside the input
/// is a node, and only the node covering all n chunks carries the ROOT flag. A range that starts at a multiple of
/// 1024 bytes is whole chunks with their global chunk counters, so the aligned subtrees inside it are nodes of the
/// whole tree and their chaining values are the same whichever hasher computes them. <see cref="Root"/> pushes them
/// onto one stack in input order and merges it exactly as the incremental hasher merges its own subtrees (lazily,
/// only once more input follows), so it builds the same tree. Only a node starting at chunk 0 can be the root, and
/// the range hasher leaves that one, like the input's last (partial) chunk, unfinalized.
/// </remarks>
public sealed class Blake3Range
{
    private readonly byte[] _subtreeCvs;
    private readonly Blake3Output? _lastNode;

    internal Blake3Range(ulong offset, ulong length, byte[] subtreeCvs, Blake3Output? lastNode)
    {
        Offset = offset;
        Length = length;
        _subtreeCvs = subtreeCvs;
        _lastNode = lastNode;
    }

    /// <summary>Where the range starts in the whole input, in bytes (a multiple of 1024).</summary>
    public ulong Offset { get; }

    /// <summary>Bytes hashed.</summary>
    public ulong Length { get; }

    /// <summary>
    /// Writes the plain BLAKE3 hash of the whole input (any length; 32 bytes is the standard digest) from all of its
    /// ranges, in input order and contiguous from byte 0. Every range but the last must be a multiple of 1024 bytes long.
    /// </summary>
    /// <exception cref="ArgumentException">The ranges do not cover the input from byte 0 contiguously, or one but the last ends inside a chunk.</exception>
    public static void Root(ReadOnlySpan<Blake3Range> ranges, Span<byte> output)
    {
        CheckCover(ranges);
        var tree = new Blake3RangeTree();
        foreach (Blake3Range range in ranges)
        {
            range.AddTo(ref tree);
        }

        tree.RootOutput().RootBytes(0, output);
    }

    /// <summary>Adds the subtrees in order; their sizes follow from the range's bounds, so they are not stored.</summary>
    private void AddTo(ref Blake3RangeTree tree)
    {
        ulong chunk = Offset / ChunkLength;
        ulong wholeChunksEnd = chunk + Length / ChunkLength;
        for (int at = 0; at < _subtreeCvs.Length; at += CvLength)
        {
            tree.AddSubtree(_subtreeCvs.AsSpan(at, CvLength), chunk);
            chunk += Blake3Subtrees.NextLength(chunk, wholeChunksEnd);
        }

        if (_lastNode is { } lastNode)
        {
            tree.AddNode(lastNode, chunk);
        }
    }

    private static void CheckCover(ReadOnlySpan<Blake3Range> ranges)
    {
        if (ranges.IsEmpty)
        {
            ThrowCover("no ranges were given; an empty input is one range of length 0 at offset 0");
        }

        ulong expected = 0;
        for (int i = 0; i < ranges.Length; i++)
        {
            Blake3Range? range = ranges[i];
            if (range is null)
            {
                ThrowCover($"range {i} of {ranges.Length} is null");
            }

            if (range.Offset != expected)
            {
                ThrowCover(i == 0
                    ? $"the first range starts at byte {range.Offset}, not 0; pass every range of the input, in input order"
                    : $"range {i} of {ranges.Length} starts at byte {range.Offset} but range {i - 1} ends at byte {expected}; ranges must be contiguous and in input order");
            }

            if (i < ranges.Length - 1 && range.Length % ChunkLength != 0)
            {
                ThrowCover($"range {i} of {ranges.Length} is {range.Length} bytes, not a multiple of 1024; only the last range may end inside a BLAKE3 chunk, so split the input at multiples of 1024");
            }

            expected = range.Offset + range.Length;
        }
    }

    [DoesNotReturn]
    private static void ThrowCover(string problem) =>
        throw new ArgumentException($"Cannot join BLAKE3 ranges: {problem}.", "ranges");
}
