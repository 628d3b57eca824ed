using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Pgark.Repository.Codecs.Blake3Compression;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// Four chunks (or parent nodes) per call with SSE2, SSSE3 byte shuffles when present: state word k of all
/// four inputs lives in one Vector128, so message words are transposed on load and chaining values back.
/// </summary>
internal static class Blake3Simd128
{
    public const int Lanes = 4;

    /// <summary>Compresses 4 inputs (input <c>i</c> at byte <c>i * stride</c>) into 4 chaining values.</summary>
    public static void HashMany(
        in Blake3HashJob job, ReadOnlySpan<byte> inputs, int stride, ulong counter, bool incrementCounter, Span<byte> cvs)
    {
        Debug.Assert(Sse2.IsSupported);
        Debug.Assert(inputs.Length >= (Lanes - 1) * stride + job.Blocks * BlockLength);
        Debug.Assert(cvs.Length >= Lanes * CvLength);
        ref byte input = ref MemoryMarshal.GetReference(inputs);
        ref byte key = ref MemoryMarshal.GetReference(job.Key);
        Vector128<uint> h0 = Vector128.Create(Word(ref key, 0)), h1 = Vector128.Create(Word(ref key, 1));
        Vector128<uint> h2 = Vector128.Create(Word(ref key, 2)), h3 = Vector128.Create(Word(ref key, 3));
        Vector128<uint> h4 = Vector128.Create(Word(ref key, 4)), h5 = Vector128.Create(Word(ref key, 5));
        Vector128<uint> h6 = Vector128.Create(Word(ref key, 6)), h7 = Vector128.Create(Word(ref key, 7));

        // Lane i hashes with counter + i (chunks) or the same counter (parents); carry into the high word.
        Vector128<uint> counterBase = Vector128.Create((uint)counter);
        Vector128<uint> counterLow = incrementCounter ? counterBase + Vector128<uint>.Indices : counterBase;
        Vector128<uint> counterHigh = Vector128.Create((uint)(counter >> 32)) - Vector128.LessThan(counterLow, counterBase).AsUInt32();

        Blake3Messages128 m = default;
        for (int block = 0; block < job.Blocks; block++)
        {
            LoadMessages(ref input, stride, block * BlockLength, ref m);
            Compress(ref h0, ref h1, ref h2, ref h3, ref h4, ref h5, ref h6, ref h7, in m, counterLow, counterHigh,
                job.BlockFlags(block));
        }

        StoreChainingValues(h0, h1, h2, h3, h4, h5, h6, h7, ref MemoryMarshal.GetReference(cvs));
    }

    /// <summary>Loads one block of each lane and transposes it: m[k] holds message word k of every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadMessages(ref byte input, int stride, int offset, ref Blake3Messages128 m)
    {
        for (int quarter = 0; quarter < 4; quarter++)
        {
            ref byte start = ref Unsafe.Add(ref input, offset + quarter * 16);
            Vector128<uint> r0 = Load(ref start, 0), r1 = Load(ref start, stride);
            Vector128<uint> r2 = Load(ref start, 2 * stride), r3 = Load(ref start, 3 * stride);
            Transpose(ref r0, ref r1, ref r2, ref r3);
            int k = quarter * 4;
            m[k] = r0;
            m[k + 1] = r1;
            m[k + 2] = r2;
            m[k + 3] = r3;
        }
    }

    private static void StoreChainingValues(
        Vector128<uint> h0, Vector128<uint> h1, Vector128<uint> h2, Vector128<uint> h3,
        Vector128<uint> h4, Vector128<uint> h5, Vector128<uint> h6, Vector128<uint> h7, ref byte cvs)
    {
        Transpose(ref h0, ref h1, ref h2, ref h3);
        Transpose(ref h4, ref h5, ref h6, ref h7);
        h0.AsByte().StoreUnsafe(ref cvs, 0 * CvLength);
        h4.AsByte().StoreUnsafe(ref cvs, 0 * CvLength + 16);
        h1.AsByte().StoreUnsafe(ref cvs, 1 * CvLength);
        h5.AsByte().StoreUnsafe(ref cvs, 1 * CvLength + 16);
        h2.AsByte().StoreUnsafe(ref cvs, 2 * CvLength);
        h6.AsByte().StoreUnsafe(ref cvs, 2 * CvLength + 16);
        h3.AsByte().StoreUnsafe(ref cvs, 3 * CvLength);
        h7.AsByte().StoreUnsafe(ref cvs, 3 * CvLength + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Load(ref byte start, int offset) =>
        Vector128.LoadUnsafe(ref Unsafe.Add(ref start, offset)).AsUInt32();

    /// <summary>4x4 transpose of 32-bit words: interleave pairs of rows, then pairs of pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(ref Vector128<uint> r0, ref Vector128<uint> r1, ref Vector128<uint> r2, ref Vector128<uint> r3)
    {
        Vector128<ulong> ab01 = Sse2.UnpackLow(r0, r1).AsUInt64(), ab23 = Sse2.UnpackHigh(r0, r1).AsUInt64();
        Vector128<ulong> cd01 = Sse2.UnpackLow(r2, r3).AsUInt64(), cd23 = Sse2.UnpackHigh(r2, r3).AsUInt64();
        r0 = Sse2.UnpackLow(ab01, cd01).AsUInt32();
        r1 = Sse2.UnpackHigh(ab01, cd01).AsUInt32();
        r2 = Sse2.UnpackLow(ab23, cd23).AsUInt32();
        r3 = Sse2.UnpackHigh(ab23, cd23).AsUInt32();
    }

    /// <summary>Seven rounds over all lanes at once, then the feed-forward into the chaining values.</summary>
    private static void Compress(
        ref Vector128<uint> h0, ref Vector128<uint> h1, ref Vector128<uint> h2, ref Vector128<uint> h3, ref Vector128<uint> h4, ref Vector128<uint> h5, ref Vector128<uint> h6, ref Vector128<uint> h7,
        ref readonly Blake3Messages128 m, Vector128<uint> counterLow, Vector128<uint> counterHigh, uint flags)
    {
        Vector128<uint> s0 = h0, s1 = h1, s2 = h2, s3 = h3, s4 = h4, s5 = h5, s6 = h6, s7 = h7;
        Vector128<uint> s8 = Vector128.Create(IV0), s9 = Vector128.Create(IV1);
        Vector128<uint> s10 = Vector128.Create(IV2), s11 = Vector128.Create(IV3);
        Vector128<uint> s12 = counterLow, s13 = counterHigh;
        Vector128<uint> s14 = Vector128.Create((uint)BlockLength), s15 = Vector128.Create(flags);

        // Round 1
        G(ref s0, ref s4, ref s8, ref s12, m[0], m[1]);
        G(ref s1, ref s5, ref s9, ref s13, m[2], m[3]);
        G(ref s2, ref s6, ref s10, ref s14, m[4], m[5]);
        G(ref s3, ref s7, ref s11, ref s15, m[6], m[7]);
        G(ref s0, ref s5, ref s10, ref s15, m[8], m[9]);
        G(ref s1, ref s6, ref s11, ref s12, m[10], m[11]);
        G(ref s2, ref s7, ref s8, ref s13, m[12], m[13]);
        G(ref s3, ref s4, ref s9, ref s14, m[14], m[15]);
        // Round 2
        G(ref s0, ref s4, ref s8, ref s12, m[2], m[6]);
        G(ref s1, ref s5, ref s9, ref s13, m[3], m[10]);
        G(ref s2, ref s6, ref s10, ref s14, m[7], m[0]);
        G(ref s3, ref s7, ref s11, ref s15, m[4], m[13]);
        G(ref s0, ref s5, ref s10, ref s15, m[1], m[11]);
        G(ref s1, ref s6, ref s11, ref s12, m[12], m[5]);
        G(ref s2, ref s7, ref s8, ref s13, m[9], m[14]);
        G(ref s3, ref s4, ref s9, ref s14, m[15], m[8]);
        // Round 3
        G(ref s0, ref s4, ref s8, ref s12, m[3], m[4]);
        G(ref s1, ref s5, ref s9, ref s13, m[10], m[12]);
        G(ref s2, ref s6, ref s10, ref s14, m[13], m[2]);
        G(ref s3, ref s7, ref s11, ref s15, m[7], m[14]);
        G(ref s0, ref s5, ref s10, ref s15, m[6], m[5]);
        G(ref s1, ref s6, ref s11, ref s12, m[9], m[0]);
        G(ref s2, ref s7, ref s8, ref s13, m[11], m[15]);
        G(ref s3, ref s4, ref s9, ref s14, m[8], m[1]);
        // Round 4
        G(ref s0, ref s4, ref s8, ref s12, m[10], m[7]);
        G(ref s1, ref s5, ref s9, ref s13, m[12], m[9]);
        G(ref s2, ref s6, ref s10, ref s14, m[14], m[3]);
        G(ref s3, ref s7, ref s11, ref s15, m[13], m[15]);
        G(ref s0, ref s5, ref s10, ref s15, m[4], m[0]);
        G(ref s1, ref s6, ref s11, ref s12, m[11], m[2]);
        G(ref s2, ref s7, ref s8, ref s13, m[5], m[8]);
        G(ref s3, ref s4, ref s9, ref s14, m[1], m[6]);
        // Round 5
        G(ref s0, ref s4, ref s8, ref s12, m[12], m[13]);
        G(ref s1, ref s5, ref s9, ref s13, m[9], m[11]);
        G(ref s2, ref s6, ref s10, ref s14, m[15], m[10]);
        G(ref s3, ref s7, ref s11, ref s15, m[14], m[8]);
        G(ref s0, ref s5, ref s10, ref s15, m[7], m[2]);
        G(ref s1, ref s6, ref s11, ref s12, m[5], m[3]);
        G(ref s2, ref s7, ref s8, ref s13, m[0], m[1]);
        G(ref s3, ref s4, ref s9, ref s14, m[6], m[4]);
        // Round 6
        G(ref s0, ref s4, ref s8, ref s12, m[9], m[14]);
        G(ref s1, ref s5, ref s9, ref s13, m[11], m[5]);
        G(ref s2, ref s6, ref s10, ref s14, m[8], m[12]);
        G(ref s3, ref s7, ref s11, ref s15, m[15], m[1]);
        G(ref s0, ref s5, ref s10, ref s15, m[13], m[3]);
        G(ref s1, ref s6, ref s11, ref s12, m[0], m[10]);
        G(ref s2, ref s7, ref s8, ref s13, m[2], m[6]);
        G(ref s3, ref s4, ref s9, ref s14, m[4], m[7]);
        // Round 7
        G(ref s0, ref s4, ref s8, ref s12, m[11], m[15]);
        G(ref s1, ref s5, ref s9, ref s13, m[5], m[0]);
        G(ref s2, ref s6, ref s10, ref s14, m[1], m[9]);
        G(ref s3, ref s7, ref s11, ref s15, m[8], m[6]);
        G(ref s0, ref s5, ref s10, ref s15, m[14], m[10]);
        G(ref s1, ref s6, ref s11, ref s12, m[2], m[12]);
        G(ref s2, ref s7, ref s8, ref s13, m[3], m[4]);
        G(ref s3, ref s4, ref s9, ref s14, m[7], m[13]);

        h0 = s0 ^ s8;
        h1 = s1 ^ s9;
        h2 = s2 ^ s10;
        h3 = s3 ^ s11;
        h4 = s4 ^ s12;
        h5 = s5 ^ s13;
        h6 = s6 ^ s14;
        h7 = s7 ^ s15;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref Vector128<uint> a, ref Vector128<uint> b, ref Vector128<uint> c, ref Vector128<uint> d, Vector128<uint> x, Vector128<uint> y)
    {
        a = a + b + x;
        d = RotateRight16(d ^ a);
        c += d;
        b = RotateRight12(b ^ c);
        a = a + b + y;
        d = RotateRight8(d ^ a);
        c += d;
        b = RotateRight7(b ^ c);
    }

    // Rotations by 16 and 8 move whole bytes: one SSSE3 byte shuffle each when available, shifts otherwise.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight16(Vector128<uint> x) => Ssse3.IsSupported
        ? Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32()
        : (x >>> 16) | (x << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight8(Vector128<uint> x) => Ssse3.IsSupported
        ? Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32()
        : (x >>> 8) | (x << 24);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight12(Vector128<uint> x) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 12) : (x >>> 12) | (x << 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight7(Vector128<uint> x) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 7) : (x >>> 7) | (x << 25);
}

/// <summary>The sixteen transposed message words of one block for four lanes.</summary>
[InlineArray(16)]
internal struct Blake3Messages128
{
    private Vector128<uint> _element;
}
