using System.Numerics;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// The whole input's chaining-value stack rebuilt from its ranges' aligned subtrees, added left to right. It merges
/// as <see cref="Blake3Hasher"/> does: a subtree joins the stack only once another follows it, so the newest one
/// (the input's end) is finalized last, as the root or the root's rightmost descendant.
/// </summary>
internal struct Blake3RangeTree
{
    private Blake3CvStackBuffer _stack;
    private int _stackLength;

    // The newest subtree, held back: either a chaining value or a node that may still be the root.
    private Blake3CvBuffer _pendingCv;
    private Blake3Output _pendingNode;
    private ulong _pendingChunk;
    private bool _pendingIsNode;
    private bool _hasPending;

    /// <summary>Adds the chaining value of the aligned subtree that starts at chunk <paramref name="firstChunk"/>.</summary>
    public void AddSubtree(ReadOnlySpan<byte> cv, ulong firstChunk)
    {
        PushPending();
        cv.CopyTo(_pendingCv);
        SetPending(firstChunk, isNode: false);
    }

    /// <summary>Adds a node not yet finalized: the input's last chunk, or a subtree from chunk 0 that may be the root.</summary>
    public void AddNode(in Blake3Output node, ulong firstChunk)
    {
        PushPending();
        _pendingNode = node;
        SetPending(firstChunk, isNode: true);
    }

    public Blake3Output RootOutput()
    {
        if (!_hasPending)
        {
            return new Blake3ChunkState(IVBytes, 0, 0).Output();
        }

        MergeStack(_pendingChunk);
        Span<byte> stack = _stack;
        int remaining = _stackLength;
        Span<byte> parentBlock = stackalloc byte[BlockLength];
        Blake3Output output = _pendingNode;
        if (!_pendingIsNode)
        {
            // A subtree that ends the input on a chunk boundary: it and its left neighbour are the root's (or the
            // next parent's) children. It never starts at chunk 0, because the range hasher keeps that one a node.
            if (remaining == 0)
            {
                throw new InvalidOperationException("BLAKE3 ranges: a whole input was given as a finalized subtree; this is a bug in Blake3RangeHasher.");
            }

            remaining--;
            stack.Slice(remaining * CvLength, CvLength).CopyTo(parentBlock);
            ((ReadOnlySpan<byte>)_pendingCv).CopyTo(parentBlock[CvLength..]);
            output = Blake3Output.ForParent(IVBytes, parentBlock, 0);
        }

        while (remaining > 0)
        {
            remaining--;
            stack.Slice(remaining * CvLength, CvLength).CopyTo(parentBlock);
            output.ChainingValue(parentBlock[CvLength..]);
            output = Blake3Output.ForParent(IVBytes, parentBlock, 0);
        }

        return output;
    }

    private void SetPending(ulong firstChunk, bool isNode)
    {
        _pendingChunk = firstChunk;
        _pendingIsNode = isNode;
        _hasPending = true;
    }

    /// <summary>More input follows the pending subtree, so it is not the root: finalize it and push it.</summary>
    private void PushPending()
    {
        if (!_hasPending)
        {
            return;
        }

        MergeStack(_pendingChunk);
        Span<byte> top = ((Span<byte>)_stack).Slice(_stackLength * CvLength, CvLength);
        if (_pendingIsNode)
        {
            _pendingNode.ChainingValue(top);
        }
        else
        {
            ((ReadOnlySpan<byte>)_pendingCv).CopyTo(top);
        }

        _stackLength++;
        _hasPending = false;
    }

    /// <summary>Merges the stack down to the subtrees of the first <paramref name="totalChunks"/> chunks: one per set bit.</summary>
    private void MergeStack(ulong totalChunks)
    {
        Span<byte> stack = _stack;
        int mergedLength = BitOperations.PopCount(totalChunks);
        while (_stackLength > mergedLength)
        {
            Span<byte> pair = stack.Slice((_stackLength - 2) * CvLength, BlockLength);
            Blake3Output.ForParent(IVBytes, pair, 0).ChainingValue(pair[..CvLength]);
            _stackLength--;
        }
    }
}
