using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// Multi-threaded one-shot hashing of large inputs: the two halves of each big subtree are hashed on the thread
/// pool, down to subtrees of <see cref="Grain"/> bytes, which run single-threaded on the vector backend.
/// </summary>
internal static unsafe class Blake3Parallel
{
    /// <summary>Below this a subtree is not worth a work item (about 100 µs of hashing on one core).</summary>
    public const int Grain = 256 * 1024;

    public static void Hash(
        Blake3Backend backend, ReadOnlySpan<byte> input, ReadOnlySpan<byte> key, uint flags, Span<byte> output)
    {
        if (input.Length <= 2 * Grain)
        {
            Blake3.HashCore(backend, input, key, flags, output);
            return;
        }

        Blake3CvBuffer keyCopy = default;
        key.CopyTo(keyCopy);
        Span<byte> cvs = stackalloc byte[Blake3Backends.MaxDegree * CvLength];
        Span<byte> parents = stackalloc byte[Blake3Backends.MaxDegree * CvLength];
        int count;
        fixed (byte* inputStart = input)
        fixed (byte* cvsStart = cvs)
        {
            count = CompressSubtree(backend, inputStart, input.Length, keyCopy, 0, flags, cvsStart);
        }

        while (count > 2)
        {
            count = Blake3Tree.CompressParents(backend, cvs[..(count * CvLength)], key, flags, parents);
            parents[..(count * CvLength)].CopyTo(cvs);
        }

        Blake3Output.ForParent(key, cvs[..BlockLength], flags).RootBytes(0, output);
    }

    /// <summary>
    /// Same contract as <see cref="Blake3Tree"/>'s subtree reduction (at most <c>degree</c> chaining values out),
    /// with the halves of big subtrees computed concurrently. Pointers, because spans cannot cross into the
    /// work items; the caller pins the input and waits for both halves before its stack frame ends.
    /// </summary>
    private static int CompressSubtree(
        Blake3Backend backend, byte* input, int length, Blake3CvBuffer key, ulong chunkCounter, uint flags, byte* cvs)
    {
        if (length <= Grain)
        {
            return Blake3Tree.CompressSubtree(backend, new ReadOnlySpan<byte>(input, length), key, chunkCounter, flags,
                new Span<byte>(cvs, Blake3Backends.MaxDegree * CvLength));
        }

        int degree = Blake3Backends.Degree(backend);
        int leftLength = Blake3Tree.LeftSubtreeLength(length);
        byte* children = stackalloc byte[2 * Blake3Backends.MaxDegree * CvLength];
        byte* rightChildren = children + degree * CvLength;
        ulong rightCounter = chunkCounter + (ulong)(leftLength / ChunkLength);
        int leftCount = 0, rightCount = 0;
        Parallel.Invoke(
            () => leftCount = CompressSubtree(backend, input, leftLength, key, chunkCounter, flags, children),
            () => rightCount = CompressSubtree(backend, input + leftLength, length - leftLength, key, rightCounter, flags, rightChildren));
        return Blake3Tree.CompressParents(backend, new ReadOnlySpan<byte>(children, (leftCount + rightCount) * CvLength),
            key, flags, new Span<byte>(cvs, Blake3Backends.MaxDegree * CvLength));
    }
}
