using System.Diagnostics;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// The last compression of a chunk or parent node, held back until we know whether the node is the root:
/// an inner node yields one chaining value, the root yields any number of output bytes (counter = block index).
/// </summary>
internal struct Blake3Output
{
    private Blake3CvBuffer _cv;
    private Blake3BlockBuffer _block;
    private ulong _counter;
    private uint _blockLength;
    private uint _flags;

    public Blake3Output(ReadOnlySpan<byte> cv, ReadOnlySpan<byte> block, ulong counter, uint blockLength, uint flags)
    {
        Debug.Assert(cv.Length == CvLength && block.Length == BlockLength);
        cv.CopyTo(_cv);
        block.CopyTo(_block);
        _counter = counter;
        _blockLength = blockLength;
        _flags = flags;
    }

    /// <summary>A parent node: the block is the left child's chaining value followed by the right child's.</summary>
    public static Blake3Output ForParent(ReadOnlySpan<byte> key, ReadOnlySpan<byte> childCvs, uint flags) =>
        new(key, childCvs, 0, BlockLength, flags | Parent);

    public readonly void ChainingValue(Span<byte> cv) =>
        Blake3Compression.Compress(_cv, _block, _counter, _blockLength, _flags, cv[..CvLength]);

    /// <summary>Writes root output bytes starting at byte <paramref name="position"/> of the output stream.</summary>
    public readonly void RootBytes(ulong position, Span<byte> output)
    {
        Span<byte> block = stackalloc byte[BlockLength];
        ulong blockIndex = position / BlockLength;
        int skip = (int)(position % BlockLength);
        while (!output.IsEmpty)
        {
            Blake3Compression.Compress(_cv, _block, blockIndex, _blockLength, _flags | Root, block);
            int take = Math.Min(BlockLength - skip, output.Length);
            block.Slice(skip, take).CopyTo(output);
            output = output[take..];
            skip = 0;
            blockIndex++;
        }
    }
}
