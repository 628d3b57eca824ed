using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Pgark.Repository.Codecs.Blake3Compression;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// Sixteen chunks (or parent nodes) per call in Vector512 lanes, used when the CPU has AVX-512. Loads and
/// stores reuse the AVX2 8x8 transpose per half, so this path also runs (emulated, slowly) on AVX2-only
/// machines, which is how the tests prove it there.
/// </summary>
internal static class Blake3Simd512
{
    public const int Lanes = 16;

    /// <summary>Compresses 16 inputs (input <c>i</c> at byte <c>i * stride</c>) into 16 chaining values.</summary>
    public static void HashMany(
        in Blake3HashJob job, ReadOnlySpan<byte> inputs, int stride, ulong counter, bool incrementCounter, Span<byte> cvs)
    {
        Debug.Assert(Avx2.IsSupported);
        Debug.Assert(inputs.Length >= (Lanes - 1) * stride + job.Blocks * BlockLength);
        Debug.Assert(cvs.Length >= Lanes * CvLength);
        ref byte input = ref MemoryMarshal.GetReference(inputs);
        ref byte key = ref MemoryMarshal.GetReference(job.Key);
        Vector512<uint> h0 = Vector512.Create(Word(ref key, 0)), h1 = Vector512.Create(Word(ref key, 1));
        Vector512<uint> h2 = Vector512.Create(Word(ref key, 2)), h3 = Vector512.Create(Word(ref key, 3));
        Vector512<uint> h4 = Vector512.Create(Word(ref key, 4)), h5 = Vector512.Create(Word(ref key, 5));
        Vector512<uint> h6 = Vector512.Create(Word(ref key, 6)), h7 = Vector512.Create(Word(ref key, 7));

        // Lane i hashes with counter + i (chunks) or the same counter (parents); carry into the high word.
        Vector512<uint> counterBase = Vector512.Create((uint)counter);
        Vector512<uint> counterLow = incrementCounter ? counterBase + Vector512<uint>.Indices : counterBase;
        Vector512<uint> counterHigh = Vector512.Create((uint)(counter >> 32)) - Vector512.LessThan(counterLow, counterBase).AsUInt32();

        Blake3Messages512 m = default;
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
    private static void LoadMessages(ref byte input, int stride, int offset, ref Blake3Messages512 m)
    {
        for (int half = 0; half < 2; half++)
        {
            ref byte start = ref Unsafe.Add(ref input, offset + half * 32);
            Vector256<uint> a0 = Load(ref start, 0), a1 = Load(ref start, stride);
            Vector256<uint> a2 = Load(ref start, 2 * stride), a3 = Load(ref start, 3 * stride);
            Vector256<uint> a4 = Load(ref start, 4 * stride), a5 = Load(ref start, 5 * stride);
            Vector256<uint> a6 = Load(ref start, 6 * stride), a7 = Load(ref start, 7 * stride);
            ref byte upper = ref Unsafe.Add(ref start, 8 * stride);
            Vector256<uint> b0 = Load(ref upper, 0), b1 = Load(ref upper, stride);
            Vector256<uint> b2 = Load(ref upper, 2 * stride), b3 = Load(ref upper, 3 * stride);
            Vector256<uint> b4 = Load(ref upper, 4 * stride), b5 = Load(ref upper, 5 * stride);
            Vector256<uint> b6 = Load(ref upper, 6 * stride), b7 = Load(ref upper, 7 * stride);
            Blake3Simd256.Transpose(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
            Blake3Simd256.Transpose(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7);
            int k = half * 8;
            m[k] = Vector512.Create(a0, b0);
            m[k + 1] = Vector512.Create(a1, b1);
            m[k + 2] = Vector512.Create(a2, b2);
            m[k + 3] = Vector512.Create(a3, b3);
            m[k + 4] = Vector512.Create(a4, b4);
            m[k + 5] = Vector512.Create(a5, b5);
            m[k + 6] = Vector512.Create(a6, b6);
            m[k + 7] = Vector512.Create(a7, b7);
        }
    }

    private static void StoreChainingValues(
        Vector512<uint> h0, Vector512<uint> h1, Vector512<uint> h2, Vector512<uint> h3,
        Vector512<uint> h4, Vector512<uint> h5, Vector512<uint> h6, Vector512<uint> h7, ref byte cvs)
    {
        StoreHalf(h0.GetLower(), h1.GetLower(), h2.GetLower(), h3.GetLower(),
            h4.GetLower(), h5.GetLower(), h6.GetLower(), h7.GetLower(), ref cvs);
        StoreHalf(h0.GetUpper(), h1.GetUpper(), h2.GetUpper(), h3.GetUpper(),
            h4.GetUpper(), h5.GetUpper(), h6.GetUpper(), h7.GetUpper(), ref Unsafe.Add(ref cvs, 8 * CvLength));
    }

    private static void StoreHalf(
        Vector256<uint> h0, Vector256<uint> h1, Vector256<uint> h2, Vector256<uint> h3,
        Vector256<uint> h4, Vector256<uint> h5, Vector256<uint> h6, Vector256<uint> h7, ref byte cvs)
    {
        Blake3Simd256.Transpose(ref h0, ref h1, ref h2, ref h3, ref h4, ref h5, ref h6, ref h7);
        h0.AsByte().StoreUnsafe(ref cvs, 0 * CvLength);
        h1.AsByte().StoreUnsafe(ref cvs, 1 * CvLength);
        h2.AsByte().StoreUnsafe(ref cvs, 2 * CvLength);
        h3.AsByte().StoreUnsafe(ref cvs, 3 * CvLength);
        h4.AsByte().StoreUnsafe(ref cvs, 4 * CvLength);
        h5.AsByte().StoreUnsafe(ref cvs, 5 * CvLength);
        h6.AsByte().StoreUnsafe(ref cvs, 6 * CvLength);
        h7.AsByte().StoreUnsafe(ref cvs, 7 * CvLength);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Load(ref byte start, int offset) =>
        Vector256.LoadUnsafe(ref Unsafe.Add(ref start, offset)).AsUInt32();

    /// <summary>Seven rounds over all lanes at once, then the feed-forward into the chaining values.</summary>
    private static void Compress(
        ref Vector512<uint> h0, ref Vector512<uint> h1, ref Vector512<uint> h2, ref Vector512<uint> h3, ref Vector512<uint> h4, ref Vector512<uint> h5, ref Vector512<uint> h6, ref Vector512<uint> h7,
        ref readonly Blake3Messages512 m, Vector512<uint> counterLow, Vector512<uint> counterHigh, uint flags)
    {
        Vector512<uint> s0 = h0, s1 = h1, s2 = h2, s3 = h3, s4 = h4, s5 = h5, s6 = h6, s7 = h7;
        Vector512<uint> s8 = Vector512.Create(IV0), s9 = Vector512.Create(IV1);
        Vector512<uint> s10 = Vector512.Create(IV2), s11 = Vector512.Create(IV3);
        Vector512<uint> s12 = counterLow, s13 = counterHigh;
        Vector512<uint> s14 = Vector512.Create((uint)BlockLength), s15 = Vector512.Create(flags);

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
    private static void G(ref Vector512<uint> a, ref Vector512<uint> b, ref Vector512<uint> c, ref Vector512<uint> d, Vector512<uint> x, Vector512<uint> y)
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

    // AVX-512F rotates natively; the shift form is what runs when the path is emulated.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> RotateRight16(Vector512<uint> x) =>
        Avx512F.IsSupported ? Avx512F.RotateRight(x, 16) : (x >>> 16) | (x << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> RotateRight12(Vector512<uint> x) =>
        Avx512F.IsSupported ? Avx512F.RotateRight(x, 12) : (x >>> 12) | (x << 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> RotateRight8(Vector512<uint> x) =>
        Avx512F.IsSupported ? Avx512F.RotateRight(x, 8) : (x >>> 8) | (x << 24);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> RotateRight7(Vector512<uint> x) =>
        Avx512F.IsSupported ? Avx512F.RotateRight(x, 7) : (x >>> 7) | (x << 25);
}

/// <summary>The sixteen transposed message words of one block for sixteen lanes.</summary>
[InlineArray(16)]
internal struct Blake3Messages512
{
    private Vector512<uint> _element;
}
