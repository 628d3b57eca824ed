using System.Diagnostics;
using System.Numerics;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// Incremental BLAKE3 for streams and big files: call <see cref="Update"/> any number of times with any split,
/// then <see cref="Finalize"/>. Allocates nothing after construction; <see cref="Reset"/> makes it reusable.
/// Not thread-safe.
/// </summary>
public sealed partial class Blake3Hasher
{
    private readonly Blake3Backend _backend;
    private readonly uint _flags;

    // The chunk the input starts at: 0, except for a range of a larger input (Blake3RangeHasher).
    private readonly ulong _startChunk;
    private Blake3CvBuffer _key;
    private Blake3ChunkState _chunk;

    // Chaining values of completed subtrees, left to right. Merging is lazy (see PushCv), so the newest
    // entry can still become the root's child when the input ends exactly on a chunk boundary.
    private Blake3CvStackBuffer _cvStack;
    private int _cvStackLength;

    /// <summary>The plain (unkeyed) hash.</summary>
    public Blake3Hasher()
        : this(Blake3Constants.IVBytes, 0, Blake3Backends.Best)
    {
    }

    internal Blake3Hasher(ReadOnlySpan<byte> key, uint flags, Blake3Backend backend, ulong startChunk = 0)
    {
        key.CopyTo(_key);
        _flags = flags;
        _backend = backend;
        _startChunk = startChunk;
        _chunk = new Blake3ChunkState(key, startChunk, flags);
    }

    /// <summary>The keyed hash (a MAC) under a 32-byte <paramref name="key"/>.</summary>
    public static Blake3Hasher CreateKeyed(ReadOnlySpan<byte> key)
    {
        Blake3.CheckKey(key);
        return new Blake3Hasher(key, Blake3Constants.KeyedHash, Blake3Backends.Best);
    }

    /// <summary>derive_key: the key material is fed through <see cref="Update"/>; the context should be a hard-coded, unique string.</summary>
    public static Blake3Hasher CreateDeriveKey(string context)
    {
        Span<byte> contextKey = stackalloc byte[CvLength];
        Blake3.HashContext(context, contextKey);
        return new Blake3Hasher(contextKey, DeriveKeyMaterial, Blake3Backends.Best);
    }

    /// <summary>Total input bytes absorbed since construction or the last <see cref="Reset"/>.</summary>
    public ulong Length => (_chunk.ChunkCounter - _startChunk) * ChunkLength + (ulong)_chunk.Length;

    public void Update(ReadOnlySpan<byte> input)
    {
        // Finish a partly filled chunk first; if input remains, that chunk is complete and not the root.
        if (_chunk.Length > 0)
        {
            int take = Math.Min(ChunkLength - _chunk.Length, input.Length);
            _chunk.Update(input[..take]);
            input = input[take..];
            if (input.IsEmpty)
            {
                return;
            }

            Span<byte> cv = stackalloc byte[CvLength];
            _chunk.Output().ChainingValue(cv);
            PushCv(cv, _chunk.ChunkCounter);
            _chunk.Reset(_key, _chunk.ChunkCounter + 1);
        }

        // Whole subtrees straight from the input: the largest power of two of chunks that is aligned with
        // the chunks already hashed, always leaving at least one byte for the chunk state (it may be the root).
        while (input.Length > ChunkLength)
        {
            HashSubtree(ref input);
        }

        if (!input.IsEmpty)
        {
            _chunk.Update(input);
            MergeCvStack(_chunk.ChunkCounter);
        }
    }

    private void HashSubtree(ref ReadOnlySpan<byte> input)
    {
        ulong counter = _chunk.ChunkCounter;
        ulong subtreeChunks = 1UL << BitOperations.Log2((ulong)input.Length / ChunkLength);
        while ((counter & (subtreeChunks - 1)) != 0)
        {
            subtreeChunks /= 2;
        }

        int subtreeLength = (int)subtreeChunks * ChunkLength;
        Span<byte> cvs = stackalloc byte[2 * CvLength];
        if (subtreeChunks == 1)
        {
            var chunk = new Blake3ChunkState(_key, counter, _flags);
            chunk.Update(input[..ChunkLength]);
            chunk.Output().ChainingValue(cvs);
            PushCv(cvs[..CvLength], counter);
        }
        else
        {
            Blake3Tree.CompressToParentBlock(_backend, input[..subtreeLength], _key, counter, _flags, cvs);
            PushCv(cvs[..CvLength], counter);
            PushCv(cvs[CvLength..], counter + subtreeChunks / 2);
        }

        input = input[subtreeLength..];
        _chunk.Reset(_key, counter + subtreeChunks);
    }

    /// <summary>Writes the hash (any length; 32 bytes is the standard digest). The hasher stays usable.</summary>
    public void Finalize(Span<byte> output) => RootOutput().RootBytes(0, output);

    /// <summary>A reader over the extended output, which can start at any position.</summary>
    public Blake3OutputReader FinalizeXof() => new(RootOutput());

    /// <summary>Forgets all input; the key and mode stay.</summary>
    public void Reset()
    {
        _chunk.Reset(_key, _startChunk);
        _cvStackLength = 0;
    }

    private Blake3Output RootOutput()
    {
        Debug.Assert(_startChunk == 0, "a range of a larger input has no root of its own");
        Span<byte> stack = _cvStack;
        int remaining = _cvStackLength;
        Blake3Output output;
        if (_chunk.Length > 0 || remaining == 0)
        {
            output = _chunk.Output();
        }
        else
        {
            // Input ended on a chunk boundary: the two newest subtrees are the root's (or next parent's) children.
            remaining -= 2;
            output = Blake3Output.ForParent(_key, stack.Slice(remaining * CvLength, BlockLength), _flags);
        }

        Span<byte> parentBlock = stackalloc byte[BlockLength];
        while (remaining > 0)
        {
            remaining--;
            stack.Slice(remaining * CvLength, CvLength).CopyTo(parentBlock);
            output.ChainingValue(parentBlock[CvLength..]);
            output = Blake3Output.ForParent(_key, parentBlock, _flags);
        }

        return output;
    }

    /// <summary>
    /// Pushes the chaining value of a subtree that starts at chunk <paramref name="chunkCounter"/>, first merging
    /// every subtree the chunks before it have completed. A tree of n chunks has one complete subtree per set bit of n;
    /// a range that starts at a later chunk has the count <see cref="Blake3Subtrees.Count"/> gives.
    /// </summary>
    private void PushCv(ReadOnlySpan<byte> cv, ulong chunkCounter)
    {
        MergeCvStack(chunkCounter);
        cv.CopyTo(((Span<byte>)_cvStack)[(_cvStackLength * CvLength)..]);
        _cvStackLength++;
    }

    private void MergeCvStack(ulong totalChunks) =>
        MergeStack(_cvStack, ref _cvStackLength, Blake3Subtrees.Count(_startChunk, totalChunks));

    /// <summary>Replaces the newest two subtrees by their parent until <paramref name="length"/> is <paramref name="mergedLength"/>.</summary>
    private void MergeStack(Span<byte> stack, ref int length, int mergedLength)
    {
        while (length > mergedLength)
        {
            Span<byte> pair = stack.Slice((length - 2) * CvLength, BlockLength);
            Blake3Output.ForParent(_key, pair, _flags).ChainingValue(pair[..CvLength]);
            length--;
        }
    }
}
