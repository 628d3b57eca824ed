using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// The BLAKE3 compression function on one block, in plain 32-bit integer arithmetic. It serves small inputs,
/// the partial last chunk, lone parent nodes and extended output; whole chunks go through the SIMD paths.
/// </summary>
internal static class Blake3Compression
{
    /// <summary>
    /// Compresses <paramref name="block"/> under chaining value <paramref name="cv"/>. A 32-byte
    /// <paramref name="output"/> receives the next chaining value; a 64-byte one receives the full extended
    /// output block (the second half is also folded with the input chaining value, as root output needs).
    /// </summary>
    public static void Compress(
        ReadOnlySpan<byte> cv, ReadOnlySpan<byte> block, ulong counter, uint blockLength, uint flags, Span<byte> output)
    {
        if (Blake3CompressionRows.IsSupported)
        {
            Blake3CompressionRows.Compress(cv, block, counter, blockLength, flags, output);
            return;
        }

        CompressPortable(cv, block, counter, blockLength, flags, output);
    }

    /// <summary>The same compression in plain integer arithmetic, for CPUs without 128-bit SIMD (and as the tests' reference).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void CompressPortable(
        ReadOnlySpan<byte> cv, ReadOnlySpan<byte> block, ulong counter, uint blockLength, uint flags, Span<byte> output)
    {
        Debug.Assert(cv.Length == CvLength && block.Length == BlockLength);
        Debug.Assert(output.Length == CvLength || output.Length == 2 * CvLength);
        ref byte c = ref MemoryMarshal.GetReference(cv);
        ref byte b = ref MemoryMarshal.GetReference(block);

        uint m0 = Word(ref b, 0), m1 = Word(ref b, 1), m2 = Word(ref b, 2), m3 = Word(ref b, 3);
        uint m4 = Word(ref b, 4), m5 = Word(ref b, 5), m6 = Word(ref b, 6), m7 = Word(ref b, 7);
        uint m8 = Word(ref b, 8), m9 = Word(ref b, 9), m10 = Word(ref b, 10), m11 = Word(ref b, 11);
        uint m12 = Word(ref b, 12), m13 = Word(ref b, 13), m14 = Word(ref b, 14), m15 = Word(ref b, 15);

        uint h0 = Word(ref c, 0), h1 = Word(ref c, 1), h2 = Word(ref c, 2), h3 = Word(ref c, 3);
        uint h4 = Word(ref c, 4), h5 = Word(ref c, 5), h6 = Word(ref c, 6), h7 = Word(ref c, 7);
        uint s0 = h0, s1 = h1, s2 = h2, s3 = h3, s4 = h4, s5 = h5, s6 = h6, s7 = h7;
        uint s8 = IV0, s9 = IV1, s10 = IV2, s11 = IV3;
        uint s12 = (uint)counter, s13 = (uint)(counter >> 32), s14 = blockLength, s15 = flags;

        // Seven rounds, each mixing the columns then the diagonals. The message words are named in their
        // permuted order per round (the spec's fixed permutation applied r times) instead of being shuffled.
        // Round 1
        G(ref s0, ref s4, ref s8, ref s12, m0, m1);
        G(ref s1, ref s5, ref s9, ref s13, m2, m3);
        G(ref s2, ref s6, ref s10, ref s14, m4, m5);
        G(ref s3, ref s7, ref s11, ref s15, m6, m7);
        G(ref s0, ref s5, ref s10, ref s15, m8, m9);
        G(ref s1, ref s6, ref s11, ref s12, m10, m11);
        G(ref s2, ref s7, ref s8, ref s13, m12, m13);
        G(ref s3, ref s4, ref s9, ref s14, m14, m15);
        // Round 2
        G(ref s0, ref s4, ref s8, ref s12, m2, m6);
        G(ref s1, ref s5, ref s9, ref s13, m3, m10);
        G(ref s2, ref s6, ref s10, ref s14, m7, m0);
        G(ref s3, ref s7, ref s11, ref s15, m4, m13);
        G(ref s0, ref s5, ref s10, ref s15, m1, m11);
        G(ref s1, ref s6, ref s11, ref s12, m12, m5);
        G(ref s2, ref s7, ref s8, ref s13, m9, m14);
        G(ref s3, ref s4, ref s9, ref s14, m15, m8);
        // Round 3
        G(ref s0, ref s4, ref s8, ref s12, m3, m4);
        G(ref s1, ref s5, ref s9, ref s13, m10, m12);
        G(ref s2, ref s6, ref s10, ref s14, m13, m2);
        G(ref s3, ref s7, ref s11, ref s15, m7, m14);
        G(ref s0, ref s5, ref s10, ref s15, m6, m5);
        G(ref s1, ref s6, ref s11, ref s12, m9, m0);
        G(ref s2, ref s7, ref s8, ref s13, m11, m15);
        G(ref s3, ref s4, ref s9, ref s14, m8, m1);
        // Round 4
        G(ref s0, ref s4, ref s8, ref s12, m10, m7);
        G(ref s1, ref s5, ref s9, ref s13, m12, m9);
        G(ref s2, ref s6, ref s10, ref s14, m14, m3);
        G(ref s3, ref s7, ref s11, ref s15, m13, m15);
        G(ref s0, ref s5, ref s10, ref s15, m4, m0);
        G(ref s1, ref s6, ref s11, ref s12, m11, m2);
        G(ref s2, ref s7, ref s8, ref s13, m5, m8);
        G(ref s3, ref s4, ref s9, ref s14, m1, m6);
        // Round 5
        G(ref s0, ref s4, ref s8, ref s12, m12, m13);
        G(ref s1, ref s5, ref s9, ref s13, m9, m11);
        G(ref s2, ref s6, ref s10, ref s14, m15, m10);
        G(ref s3, ref s7, ref s11, ref s15, m14, m8);
        G(ref s0, ref s5, ref s10, ref s15, m7, m2);
        G(ref s1, ref s6, ref s11, ref s12, m5, m3);
        G(ref s2, ref s7, ref s8, ref s13, m0, m1);
        G(ref s3, ref s4, ref s9, ref s14, m6, m4);
        // Round 6
        G(ref s0, ref s4, ref s8, ref s12, m9, m14);
        G(ref s1, ref s5, ref s9, ref s13, m11, m5);
        G(ref s2, ref s6, ref s10, ref s14, m8, m12);
        G(ref s3, ref s7, ref s11, ref s15, m15, m1);
        G(ref s0, ref s5, ref s10, ref s15, m13, m3);
        G(ref s1, ref s6, ref s11, ref s12, m0, m10);
        G(ref s2, ref s7, ref s8, ref s13, m2, m6);
        G(ref s3, ref s4, ref s9, ref s14, m4, m7);
        // Round 7
        G(ref s0, ref s4, ref s8, ref s12, m11, m15);
        G(ref s1, ref s5, ref s9, ref s13, m5, m0);
        G(ref s2, ref s6, ref s10, ref s14, m1, m9);
        G(ref s3, ref s7, ref s11, ref s15, m8, m6);
        G(ref s0, ref s5, ref s10, ref s15, m14, m10);
        G(ref s1, ref s6, ref s11, ref s12, m2, m12);
        G(ref s2, ref s7, ref s8, ref s13, m3, m4);
        G(ref s3, ref s4, ref s9, ref s14, m7, m13);
        ref byte o = ref MemoryMarshal.GetReference(output);
        SetWord(ref o, 0, s0 ^ s8);
        SetWord(ref o, 1, s1 ^ s9);
        SetWord(ref o, 2, s2 ^ s10);
        SetWord(ref o, 3, s3 ^ s11);
        SetWord(ref o, 4, s4 ^ s12);
        SetWord(ref o, 5, s5 ^ s13);
        SetWord(ref o, 6, s6 ^ s14);
        SetWord(ref o, 7, s7 ^ s15);
        if (output.Length == 2 * CvLength)
        {
            SetWord(ref o, 8, s8 ^ h0);
            SetWord(ref o, 9, s9 ^ h1);
            SetWord(ref o, 10, s10 ^ h2);
            SetWord(ref o, 11, s11 ^ h3);
            SetWord(ref o, 12, s12 ^ h4);
            SetWord(ref o, 13, s13 ^ h5);
            SetWord(ref o, 14, s14 ^ h6);
            SetWord(ref o, 15, s15 ^ h7);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref uint a, ref uint b, ref uint c, ref uint d, uint x, uint y)
    {
        a = a + b + x;
        d = BitOperations.RotateRight(d ^ a, 16);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 12);
        a = a + b + y;
        d = BitOperations.RotateRight(d ^ a, 8);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Word(ref byte bytes, int index)
    {
        uint word = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref bytes, index * 4));
        return BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SetWord(ref byte bytes, int index, uint value)
    {
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref bytes, index * 4),
            BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value));
    }
}
