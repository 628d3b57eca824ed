using System.Diagnostics;
using System.Numerics;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

public sealed partial class Blake3Hasher
{
    /// <summary>
    /// What this hasher (started at <c>_startChunk</c>) has absorbed, as the range's maximal aligned subtrees, without
    /// finalizing any node that could still be the whole input's root. Leaves the hasher unchanged.
    /// </summary>
    /// <remarks>
    /// Only a node that starts at chunk 0 can be the root, and only if the input ends where it does. So the range's
    /// nodes become chaining values, except a last partial chunk (the input ends in it, so it may be the root or the
    /// root's rightmost leaf) and a range at offset 0 that is one whole subtree: both stay unfinalized outputs.
    /// </remarks>
    internal Blake3Range CompleteRange()
    {
        Debug.Assert(_flags == 0, "ranges are combined under the unkeyed hash's key");
        ulong offset = _startChunk * ChunkLength;
        ulong end = _chunk.ChunkCounter;
        int length = _cvStackLength;
        var stack = new byte[(length + 1) * CvLength];
        ((ReadOnlySpan<byte>)_cvStack)[..(length * CvLength)].CopyTo(stack);
        if (_chunk.Length == ChunkLength)
        {
            if (end == 0)
            {
                return new Blake3Range(offset, Length, [], _chunk.Output());
            }

            // A whole chunk after other input is never the root: it joins the subtrees.
            MergeStack(stack, ref length, Blake3Subtrees.Count(_startChunk, end));
            _chunk.Output().ChainingValue(stack.AsSpan(length * CvLength, CvLength));
            length++;
            end++;
        }

        bool partialChunk = _chunk.Length is > 0 and < ChunkLength;
        if (!partialChunk && _startChunk == 0 && BitOperations.IsPow2(end) && length >= 2)
        {
            // The range is the single subtree [0, end): its top node is the root if the input ends here.
            MergeStack(stack, ref length, 2);
            return new Blake3Range(offset, Length, [], Blake3Output.ForParent(_key, stack.AsSpan(0, BlockLength), _flags));
        }

        MergeStack(stack, ref length, Blake3Subtrees.Count(_startChunk, end));
        Debug.Assert(_startChunk != 0 || partialChunk || length != 1, "a lone subtree at chunk 0 was finalized as a non-root");
        return new Blake3Range(offset, Length, stack[..(length * CvLength)], partialChunk ? _chunk.Output() : null);
    }
}
