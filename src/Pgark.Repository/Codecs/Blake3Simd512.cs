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
    [MethodImpl(HotLoop.Optimization)] // as Rounds: its message loads must be inlined from the start
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
        Blake3State512 v = default;
        for (int block = 0; block < job.Blocks; block++)
        {
            LoadMessages(ref input, stride, block * BlockLength, ref m);
            v[0] = h0;
            v[1] = h1;
            v[2] = h2;
            v[3] = h3;
            v[4] = h4;
            v[5] = h5;
            v[6] = h6;
            v[7] = h7;
            v[8] = Vector512.Create(IV0);
            v[9] = Vector512.Create(IV1);
            v[10] = Vector512.Create(IV2);
            v[11] = Vector512.Create(IV3);
            v[12] = counterLow;
            v[13] = counterHigh;
            v[14] = Vector512.Create((uint)BlockLength);
            v[15] = Vector512.Create(job.BlockFlags(block));
            Rounds(ref v, in m);
            h0 = v[0] ^ v[8];
            h1 = v[1] ^ v[9];
            h2 = v[2] ^ v[10];
            h3 = v[3] ^ v[11];
            h4 = v[4] ^ v[12];
            h5 = v[5] ^ v[13];
            h6 = v[6] ^ v[14];
            h7 = v[7] ^ v[15];
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

    /// <summary>
    /// Seven rounds over all lanes at once. The state stays in memory on purpose: sixteen live vectors fill every
    /// register, and the JIT then spills the rotation temporaries on each step; loading four words per G and
    /// storing them back costs less. The rounds are a loop over the message schedule so the method stays
    /// within the JIT's inlining budget.
    /// </summary>
    // Optimized from the first call: tiering would run the rounds unoptimized (every G2 and rotation a call) for the
    // first tenth of a second or more, a large share of a short restore or backup (measured with perf on a physical backup).
    [MethodImpl(MethodImplOptions.NoInlining | HotLoop.Optimization)]
    private static void Rounds(ref Blake3State512 state, ref readonly Blake3Messages512 messages)
    {
        ref Vector512<uint> v = ref Unsafe.As<Blake3State512, Vector512<uint>>(ref state);
        ref Vector512<uint> m = ref Unsafe.As<Blake3Messages512, Vector512<uint>>(ref Unsafe.AsRef(in messages));
        ReadOnlySpan<byte> schedule = Blake3Constants.MessageSchedule;
        for (int round = 0; round < 7; round++)
        {
            ReadOnlySpan<byte> s = schedule.Slice(round * 16, 16);
            G2(ref v, ref m, 0, 4, 8, 12, 1, 5, 9, 13, s[0], s[1], s[2], s[3]);
            G2(ref v, ref m, 2, 6, 10, 14, 3, 7, 11, 15, s[4], s[5], s[6], s[7]);
            G2(ref v, ref m, 0, 5, 10, 15, 1, 6, 11, 12, s[8], s[9], s[10], s[11]);
            G2(ref v, ref m, 2, 7, 8, 13, 3, 4, 9, 14, s[12], s[13], s[14], s[15]);
        }
    }

    /// <summary>Two independent G functions (two columns or two diagonals) interleaved for instruction-level parallelism.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G2(
        ref Vector512<uint> v, ref Vector512<uint> m, int a1, int b1, int c1, int d1, int a2, int b2, int c2, int d2,
        int x1, int y1, int x2, int y2)
    {
        Vector512<uint> a = Unsafe.Add(ref v, a1), b = Unsafe.Add(ref v, b1), c = Unsafe.Add(ref v, c1), d = Unsafe.Add(ref v, d1);
        Vector512<uint> e = Unsafe.Add(ref v, a2), f = Unsafe.Add(ref v, b2), g = Unsafe.Add(ref v, c2), h = Unsafe.Add(ref v, d2);
        a += b + Unsafe.Add(ref m, x1);
        e += f + Unsafe.Add(ref m, x2);
        d = RotateRight16(d ^ a);
        h = RotateRight16(h ^ e);
        c += d;
        g += h;
        b = RotateRight12(b ^ c);
        f = RotateRight12(f ^ g);
        a += b + Unsafe.Add(ref m, y1);
        e += f + Unsafe.Add(ref m, y2);
        d = RotateRight8(d ^ a);
        h = RotateRight8(h ^ e);
        c += d;
        g += h;
        b = RotateRight7(b ^ c);
        f = RotateRight7(f ^ g);
        Unsafe.Add(ref v, a1) = a;
        Unsafe.Add(ref v, b1) = b;
        Unsafe.Add(ref v, c1) = c;
        Unsafe.Add(ref v, d1) = d;
        Unsafe.Add(ref v, a2) = e;
        Unsafe.Add(ref v, b2) = f;
        Unsafe.Add(ref v, c2) = g;
        Unsafe.Add(ref v, d2) = h;
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

/// <summary>The sixteen state words of a compression for every lane.</summary>
[InlineArray(16)]
internal struct Blake3State512
{
    private Vector512<uint> _element;
}
