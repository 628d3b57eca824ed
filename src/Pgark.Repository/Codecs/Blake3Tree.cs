using System.Diagnostics;
using System.Numerics;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// Hashes a run of whole chunks as a subtree of the BLAKE3 tree, keeping the vector lanes busy on both levels:
/// chunks in groups of the backend's degree, then their parent nodes in groups too (spec section 5.3).
/// </summary>
internal static class Blake3Tree
{
    /// <summary>
    /// Reduces <paramref name="input"/> (more than one chunk, starting at chunk <paramref name="chunkCounter"/>)
    /// to the 64-byte block of its top parent node: the left and right children's chaining values.
    /// </summary>
    public static void CompressToParentBlock(
        Blake3Backend backend, ReadOnlySpan<byte> input, ReadOnlySpan<byte> key, ulong chunkCounter, uint flags,
        Span<byte> parentBlock)
    {
        Debug.Assert(input.Length > ChunkLength);
        Span<byte> cvs = stackalloc byte[Blake3Backends.MaxDegree * CvLength];
        Span<byte> parents = stackalloc byte[Blake3Backends.MaxDegree * CvLength];
        int count = CompressSubtree(backend, input, key, chunkCounter, flags, cvs);
        ReduceToParentBlock(backend, cvs, count, key, flags, parents, parentBlock);
    }

    /// <summary>
    /// Merges <paramref name="count"/> (at least two) chaining values of consecutive subtrees, all complete and of one size but
    /// the last, level by level (an odd last one passes up) down to the 64-byte block of their top parent node: the tree
    /// BLAKE3 builds over them. <paramref name="cvs"/> is overwritten; <paramref name="parents"/> holds half as many values.
    /// </summary>
    internal static void ReduceToParentBlock(
        Blake3Backend backend, Span<byte> cvs, int count, ReadOnlySpan<byte> key, uint flags, Span<byte> parents, Span<byte> parentBlock)
    {
        Debug.Assert(count >= 2);
        while (count > 2)
        {
            count = CompressParents(backend, cvs[..(count * CvLength)], key, flags, parents);
            parents[..(count * CvLength)].CopyTo(cvs);
        }

        cvs[..BlockLength].CopyTo(parentBlock);
    }

    /// <summary>
    /// Hashes <paramref name="input"/> into at most <c>degree</c> chaining values of equal-sized, complete left
    /// subtrees (the last may be partial) and returns how many it wrote.
    /// </summary>
    internal static int CompressSubtree(
        Blake3Backend backend, ReadOnlySpan<byte> input, ReadOnlySpan<byte> key, ulong chunkCounter, uint flags,
        Span<byte> cvs)
    {
        int degree = Blake3Backends.Degree(backend);
        if (input.Length <= degree * ChunkLength)
        {
            return CompressChunks(backend, input, key, chunkCounter, flags, cvs);
        }

        // The left subtree is the largest power-of-two number of whole chunks that leaves the right non-empty,
        // which makes it at least `degree` chunks, so it always reduces to exactly `degree` values and the
        // right subtree's values land straight after them.
        int leftLength = LeftSubtreeLength(input.Length);
        Span<byte> children = stackalloc byte[2 * Blake3Backends.MaxDegree * CvLength];
        int leftCount = CompressSubtree(backend, input[..leftLength], key, chunkCounter, flags, children);
        Debug.Assert(leftCount == degree);
        int rightCount = CompressSubtree(backend, input[leftLength..], key,
            chunkCounter + (ulong)(leftLength / ChunkLength), flags, children[(degree * CvLength)..]);
        return CompressParents(backend, children[..((leftCount + rightCount) * CvLength)], key, flags, cvs);
    }

    /// <summary>Chaining values of each chunk of <paramref name="input"/>; the last chunk may be partial.</summary>
    private static int CompressChunks(
        Blake3Backend backend, ReadOnlySpan<byte> input, ReadOnlySpan<byte> key, ulong chunkCounter, uint flags,
        Span<byte> cvs)
    {
        int wholeChunks = input.Length / ChunkLength;
        Blake3HashMany.Run(backend, input, wholeChunks, ChunkLength, BlocksPerChunk, key, chunkCounter,
            incrementCounter: true, flags, ChunkStart, ChunkEnd, cvs);
        ReadOnlySpan<byte> tail = input[(wholeChunks * ChunkLength)..];
        if (tail.IsEmpty)
        {
            return wholeChunks;
        }

        var chunk = new Blake3ChunkState(key, chunkCounter + (ulong)wholeChunks, flags);
        chunk.Update(tail);
        chunk.Output().ChainingValue(cvs.Slice(wholeChunks * CvLength, CvLength));
        return wholeChunks + 1;
    }

    /// <summary>Merges adjacent pairs of chaining values; an odd last one passes up unchanged.</summary>
    internal static int CompressParents(
        Blake3Backend backend, ReadOnlySpan<byte> children, ReadOnlySpan<byte> key, uint flags, Span<byte> parents)
    {
        int count = children.Length / CvLength;
        int pairs = count / 2;
        Blake3HashMany.Run(backend, children, pairs, BlockLength, 1, key, 0, incrementCounter: false,
            flags | Parent, 0, 0, parents);
        if (count % 2 == 0)
        {
            return pairs;
        }

        children.Slice(2 * pairs * CvLength, CvLength).CopyTo(parents[(pairs * CvLength)..]);
        return pairs + 1;
    }

    /// <summary>Bytes in the left subtree: the largest power-of-two number of chunks less than the input.</summary>
    internal static int LeftSubtreeLength(int inputLength)
    {
        int wholeChunks = (inputLength - 1) / ChunkLength;
        return (1 << BitOperations.Log2((uint)wholeChunks)) * ChunkLength;
    }
}
