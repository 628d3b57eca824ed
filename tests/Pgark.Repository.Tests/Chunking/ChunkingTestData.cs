using System.Buffers.Binary;
using Pgark.Repository.Chunking;

namespace Pgark.Repository.Tests.Chunking;

internal static class ChunkingTestData
{
    /// <summary>
    /// Little-endian SplitMix64 outputs from <paramref name="seed"/>: a pseudo-random input any implementation of the
    /// spec can regenerate without .NET's Random.
    /// </summary>
    public static byte[] SplitMix64Bytes(int length, ulong seed)
    {
        byte[] data = new byte[(length + 7) & ~7];
        ulong state = seed;
        for (int offset = 0; offset < data.Length; offset += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(offset), GearTable.SplitMix64(ref state));
        }

        return data[..length];
    }

    /// <summary>End offsets of the chunks of <paramref name="data"/>, found with whole-buffer calls.</summary>
    public static List<int> CutOffsets(FastCdc chunker, ReadOnlySpan<byte> data)
    {
        var offsets = new List<int>();
        int position = 0;
        while (position < data.Length)
        {
            int length = chunker.FindCutPoint(data[position..], isFinal: true);
            position += length;
            offsets.Add(position);
        }

        return offsets;
    }

    /// <summary>The boundary rule of <see cref="FastCdc"/>'s remarks, one byte at a time, as a spec reader would write it.</summary>
    public static int ReferenceCutPoint(ReadOnlySpan<byte> data, FastCdcOptions options)
    {
        int n = data.Length;
        if (n <= options.MinSize)
        {
            return n;
        }

        int bits = System.Numerics.BitOperations.Log2((uint)options.AverageSize);
        ulong maskS = FastCdc.Mask(bits + options.NormalizationLevel);
        ulong maskL = FastCdc.Mask(bits - options.NormalizationLevel);
        ulong fp = 0;
        int end = Math.Min(n, options.MaxSize);
        for (int i = options.MinSize; i < end; i++)
        {
            fp = (fp << 1) + GearTable.s_gear[data[i]];
            if ((fp & (i < options.AverageSize ? maskS : maskL)) == 0)
            {
                return i + 1;
            }
        }

        return end;
    }
}
