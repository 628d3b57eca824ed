using System.Diagnostics;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// Compresses <c>count</c> independent inputs of <c>blocks</c> blocks each (whole chunks, or parent nodes of one
/// block) into one chaining value apiece, handing as many as fit to the widest vector backend and the rest
/// to narrower ones.
/// </summary>
internal static class Blake3HashMany
{
    /// <param name="inputs">Input <c>i</c> starts at byte <c>i * stride</c>.</param>
    /// <param name="counter">Counter of input 0; input <c>i</c> gets <c>counter + i</c> when <paramref name="incrementCounter"/>.</param>
    /// <param name="flagsStart">Added to the first block's flags (CHUNK_START for chunks).</param>
    /// <param name="flagsEnd">Added to the last block's flags (CHUNK_END for chunks).</param>
    public static void Run(
        Blake3Backend backend, ReadOnlySpan<byte> inputs, int count, int stride, int blocks, ReadOnlySpan<byte> key,
        ulong counter, bool incrementCounter, uint flags, uint flagsStart, uint flagsEnd, Span<byte> cvs)
    {
        Debug.Assert(count == 0 || inputs.Length >= (count - 1) * stride + blocks * BlockLength);
        Debug.Assert(cvs.Length >= count * CvLength);
        var job = new Blake3HashJob(key, blocks, flags, flagsStart, flagsEnd);
        int done = 0;
        for (int width = (int)backend; width >= Blake3Simd128.Lanes; width /= 2)
        {
            for (; count - done >= width; done += width)
            {
                ulong laneCounter = incrementCounter ? counter + (ulong)done : counter;
                ReadOnlySpan<byte> group = inputs[(done * stride)..];
                Span<byte> output = cvs.Slice(done * CvLength, width * CvLength);
                switch (width)
                {
                    case Blake3Simd512.Lanes: Blake3Simd512.HashMany(job, group, stride, laneCounter, incrementCounter, output); break;
                    case Blake3Simd256.Lanes: Blake3Simd256.HashMany(job, group, stride, laneCounter, incrementCounter, output); break;
                    default: Blake3Simd128.HashMany(job, group, stride, laneCounter, incrementCounter, output); break;
                }
            }
        }

        for (; done < count; done++)
        {
            HashOne(job, inputs.Slice(done * stride, blocks * BlockLength),
                incrementCounter ? counter + (ulong)done : counter, cvs.Slice(done * CvLength, CvLength));
        }
    }

    private static void HashOne(in Blake3HashJob job, ReadOnlySpan<byte> input, ulong counter, Span<byte> cv)
    {
        job.Key.CopyTo(cv);
        for (int block = 0; block < job.Blocks; block++)
        {
            Blake3Compression.Compress(cv, input.Slice(block * BlockLength, BlockLength), counter, BlockLength,
                job.BlockFlags(block), cv);
        }
    }
}

/// <summary>What every lane of one hash-many call shares: key, block count and flags.</summary>
internal readonly ref struct Blake3HashJob(ReadOnlySpan<byte> key, int blocks, uint flags, uint flagsStart, uint flagsEnd)
{
    public ReadOnlySpan<byte> Key { get; } = key;

    public int Blocks { get; } = blocks;

    public uint BlockFlags(int block) =>
        flags | (block == 0 ? flagsStart : 0) | (block == Blocks - 1 ? flagsEnd : 0);
}
