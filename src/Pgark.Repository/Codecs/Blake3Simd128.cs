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
    [MethodImpl(HotLoop.Optimization)] // as Rounds: its message loads must be inlined from the start
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
        Blake3State128 v = default;
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
            v[8] = Vector128.Create(IV0);
            v[9] = Vector128.Create(IV1);
            v[10] = Vector128.Create(IV2);
            v[11] = Vector128.Create(IV3);
            v[12] = counterLow;
            v[13] = counterHigh;
            v[14] = Vector128.Create((uint)BlockLength);
            v[15] = Vector128.Create(job.BlockFlags(block));
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

    /// <summary>
    /// Seven rounds over all lanes at once. The state stays in memory on purpose: sixteen live vectors fill every
    /// register, and the JIT then spills the rotation temporaries on each step; loading four words per G and
    /// storing them back costs less. The rounds are a loop over the message schedule so the method stays
    /// within the JIT's inlining budget.
    /// </summary>
    // Optimized from the first call: tiering would run the rounds unoptimized (every G2 and rotation a call) for the
    // first tenth of a second or more, a large share of a short restore or backup (measured with perf on a restore).
    [MethodImpl(MethodImplOptions.NoInlining | HotLoop.Optimization)]
    private static void Rounds(ref Blake3State128 state, ref readonly Blake3Messages128 messages)
    {
        ref Vector128<uint> v = ref Unsafe.As<Blake3State128, Vector128<uint>>(ref state);
        ref Vector128<uint> m = ref Unsafe.As<Blake3Messages128, Vector128<uint>>(ref Unsafe.AsRef(in messages));
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
        ref Vector128<uint> v, ref Vector128<uint> m, int a1, int b1, int c1, int d1, int a2, int b2, int c2, int d2,
        int x1, int y1, int x2, int y2)
    {
        Vector128<uint> a = Unsafe.Add(ref v, a1), b = Unsafe.Add(ref v, b1), c = Unsafe.Add(ref v, c1), d = Unsafe.Add(ref v, d1);
        Vector128<uint> e = Unsafe.Add(ref v, a2), f = Unsafe.Add(ref v, b2), g = Unsafe.Add(ref v, c2), h = Unsafe.Add(ref v, d2);
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

    // Rotations by 16 and 8 move whole bytes: one SSSE3 byte shuffle each when available, shifts otherwise.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> RotateRight16(Vector128<uint> x) => Ssse3.IsSupported
        ? Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32()
        : (x >>> 16) | (x << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> RotateRight8(Vector128<uint> x) => Ssse3.IsSupported
        ? Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32()
        : (x >>> 8) | (x << 24);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> RotateRight12(Vector128<uint> x) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 12) : (x >>> 12) | (x << 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> RotateRight7(Vector128<uint> x) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 7) : (x >>> 7) | (x << 25);
}

/// <summary>The sixteen transposed message words of one block for four lanes.</summary>
[InlineArray(16)]
internal struct Blake3Messages128
{
    private Vector128<uint> _element;
}

/// <summary>The sixteen state words of a compression for every lane.</summary>
[InlineArray(16)]
internal struct Blake3State128
{
    private Vector128<uint> _element;
}
