using System.Diagnostics;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// One chunk (up to 1 KiB, sixteen blocks) being compressed block by block. The last block is always kept
/// buffered, because only when the input ends do we know it needs the CHUNK_END flag.
/// </summary>
internal struct Blake3ChunkState
{
    private Blake3CvBuffer _cv;
    private Blake3BlockBuffer _block;
    private int _blockLength;
    private int _blocksCompressed;
    private uint _flags;

    public Blake3ChunkState(ReadOnlySpan<byte> key, ulong chunkCounter, uint flags)
    {
        key.CopyTo(_cv);
        ChunkCounter = chunkCounter;
        _flags = flags;
    }

    public ulong ChunkCounter { get; private set; }

    public readonly int Length => _blocksCompressed * BlockLength + _blockLength;

    private readonly uint StartFlag => _blocksCompressed == 0 ? ChunkStart : 0;

    /// <summary>Absorbs input; the caller never passes more than the chunk has room for.</summary>
    public void Update(ReadOnlySpan<byte> input)
    {
        Debug.Assert(Length + input.Length <= ChunkLength);
        if (_blockLength > 0)
        {
            int take = Math.Min(BlockLength - _blockLength, input.Length);
            input[..take].CopyTo(((Span<byte>)_block)[_blockLength..]);
            _blockLength += take;
            input = input[take..];
            if (input.IsEmpty)
            {
                return;
            }

            // The buffered block is full and more input follows, so it is not the chunk's last block.
            CompressBlock(_block);
            _block = default;
            _blockLength = 0;
        }

        while (input.Length > BlockLength)
        {
            CompressBlock(input[..BlockLength]);
            input = input[BlockLength..];
        }

        input.CopyTo(_block);
        _blockLength = input.Length;
    }

    public readonly Blake3Output Output()
    {
        // The buffered block is zero beyond _blockLength: Update only ever fills it from the start of a cleared block.
        return new Blake3Output(_cv, _block, ChunkCounter, (uint)_blockLength, _flags | StartFlag | ChunkEnd);
    }

    /// <summary>Starts the next chunk under <paramref name="key"/>.</summary>
    public void Reset(ReadOnlySpan<byte> key, ulong chunkCounter)
    {
        key.CopyTo(_cv);
        _block = default;
        _blockLength = 0;
        _blocksCompressed = 0;
        ChunkCounter = chunkCounter;
    }

    private void CompressBlock(ReadOnlySpan<byte> block)
    {
        Blake3Compression.Compress(_cv, block, ChunkCounter, BlockLength, _flags | StartFlag, _cv);
        _blocksCompressed++;
    }
}
