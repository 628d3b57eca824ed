using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Pgark.Repository.Codecs.Blake3Compression;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// Eight chunks (or parent nodes) per call with AVX2: state word k of all eight inputs lives in one
/// Vector256, so the message words must be transposed on load and the chaining values transposed back.
/// </summary>
internal static class Blake3Simd256
{
    public const int Lanes = 8;

    /// <summary>Compresses 8 inputs (input <c>i</c> at byte <c>i * stride</c>) into 8 chaining values.</summary>
    [MethodImpl(HotLoop.Optimization)] // as Rounds: its message loads must be inlined from the start
    public static void HashMany(
        in Blake3HashJob job, ReadOnlySpan<byte> inputs, int stride, ulong counter, bool incrementCounter, Span<byte> cvs)
    {
        Debug.Assert(Avx2.IsSupported);
        Debug.Assert(inputs.Length >= (Lanes - 1) * stride + job.Blocks * BlockLength);
        Debug.Assert(cvs.Length >= Lanes * CvLength);
        ref byte input = ref MemoryMarshal.GetReference(inputs);
        ref byte key = ref MemoryMarshal.GetReference(job.Key);
        Vector256<uint> h0 = Vector256.Create(Word(ref key, 0)), h1 = Vector256.Create(Word(ref key, 1));
        Vector256<uint> h2 = Vector256.Create(Word(ref key, 2)), h3 = Vector256.Create(Word(ref key, 3));
        Vector256<uint> h4 = Vector256.Create(Word(ref key, 4)), h5 = Vector256.Create(Word(ref key, 5));
        Vector256<uint> h6 = Vector256.Create(Word(ref key, 6)), h7 = Vector256.Create(Word(ref key, 7));

        // Lane i hashes with counter + i (chunks) or the same counter (parents); carry into the high word.
        Vector256<uint> counterBase = Vector256.Create((uint)counter);
        Vector256<uint> counterLow = incrementCounter ? counterBase + Vector256<uint>.Indices : counterBase;
        Vector256<uint> counterHigh = Vector256.Create((uint)(counter >> 32)) - Vector256.LessThan(counterLow, counterBase).AsUInt32();

        Blake3Messages256 m = default;
        Blake3State256 v = default;
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
            v[8] = Vector256.Create(IV0);
            v[9] = Vector256.Create(IV1);
            v[10] = Vector256.Create(IV2);
            v[11] = Vector256.Create(IV3);
            v[12] = counterLow;
            v[13] = counterHigh;
            v[14] = Vector256.Create((uint)BlockLength);
            v[15] = Vector256.Create(job.BlockFlags(block));
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
    private static void LoadMessages(ref byte input, int stride, int offset, ref Blake3Messages256 m)
    {
        for (int half = 0; half < 2; half++)
        {
            ref byte start = ref Unsafe.Add(ref input, offset + half * 32);
            Vector256<uint> r0 = Load(ref start, 0), r1 = Load(ref start, stride);
            Vector256<uint> r2 = Load(ref start, 2 * stride), r3 = Load(ref start, 3 * stride);
            Vector256<uint> r4 = Load(ref start, 4 * stride), r5 = Load(ref start, 5 * stride);
            Vector256<uint> r6 = Load(ref start, 6 * stride), r7 = Load(ref start, 7 * stride);
            Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            int k = half * 8;
            m[k] = r0;
            m[k + 1] = r1;
            m[k + 2] = r2;
            m[k + 3] = r3;
            m[k + 4] = r4;
            m[k + 5] = r5;
            m[k + 6] = r6;
            m[k + 7] = r7;
        }
    }

    private static void StoreChainingValues(
        Vector256<uint> h0, Vector256<uint> h1, Vector256<uint> h2, Vector256<uint> h3,
        Vector256<uint> h4, Vector256<uint> h5, Vector256<uint> h6, Vector256<uint> h7, ref byte cvs)
    {
        Transpose(ref h0, ref h1, ref h2, ref h3, ref h4, ref h5, ref h6, ref h7);
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
    /// 8x8 transpose of 32-bit words: interleave pairs of rows, then pairs of pairs (both within 128-bit halves),
    /// then swap 128-bit halves. Row i becomes column i.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose(
        ref Vector256<uint> r0, ref Vector256<uint> r1, ref Vector256<uint> r2, ref Vector256<uint> r3,
        ref Vector256<uint> r4, ref Vector256<uint> r5, ref Vector256<uint> r6, ref Vector256<uint> r7)
    {
        Vector256<ulong> ab0145 = Avx2.UnpackLow(r0, r1).AsUInt64(), ab2367 = Avx2.UnpackHigh(r0, r1).AsUInt64();
        Vector256<ulong> cd0145 = Avx2.UnpackLow(r2, r3).AsUInt64(), cd2367 = Avx2.UnpackHigh(r2, r3).AsUInt64();
        Vector256<ulong> ef0145 = Avx2.UnpackLow(r4, r5).AsUInt64(), ef2367 = Avx2.UnpackHigh(r4, r5).AsUInt64();
        Vector256<ulong> gh0145 = Avx2.UnpackLow(r6, r7).AsUInt64(), gh2367 = Avx2.UnpackHigh(r6, r7).AsUInt64();

        Vector256<uint> abcd04 = Avx2.UnpackLow(ab0145, cd0145).AsUInt32(), abcd15 = Avx2.UnpackHigh(ab0145, cd0145).AsUInt32();
        Vector256<uint> abcd26 = Avx2.UnpackLow(ab2367, cd2367).AsUInt32(), abcd37 = Avx2.UnpackHigh(ab2367, cd2367).AsUInt32();
        Vector256<uint> efgh04 = Avx2.UnpackLow(ef0145, gh0145).AsUInt32(), efgh15 = Avx2.UnpackHigh(ef0145, gh0145).AsUInt32();
        Vector256<uint> efgh26 = Avx2.UnpackLow(ef2367, gh2367).AsUInt32(), efgh37 = Avx2.UnpackHigh(ef2367, gh2367).AsUInt32();

        r0 = Avx2.Permute2x128(abcd04, efgh04, 0x20);
        r4 = Avx2.Permute2x128(abcd04, efgh04, 0x31);
        r1 = Avx2.Permute2x128(abcd15, efgh15, 0x20);
        r5 = Avx2.Permute2x128(abcd15, efgh15, 0x31);
        r2 = Avx2.Permute2x128(abcd26, efgh26, 0x20);
        r6 = Avx2.Permute2x128(abcd26, efgh26, 0x31);
        r3 = Avx2.Permute2x128(abcd37, efgh37, 0x20);
        r7 = Avx2.Permute2x128(abcd37, efgh37, 0x31);
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
    private static void Rounds(ref Blake3State256 state, ref readonly Blake3Messages256 messages)
    {
        ref Vector256<uint> v = ref Unsafe.As<Blake3State256, Vector256<uint>>(ref state);
        ref Vector256<uint> m = ref Unsafe.As<Blake3Messages256, Vector256<uint>>(ref Unsafe.AsRef(in messages));
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
        ref Vector256<uint> v, ref Vector256<uint> m, int a1, int b1, int c1, int d1, int a2, int b2, int c2, int d2,
        int x1, int y1, int x2, int y2)
    {
        Vector256<uint> a = Unsafe.Add(ref v, a1), b = Unsafe.Add(ref v, b1), c = Unsafe.Add(ref v, c1), d = Unsafe.Add(ref v, d1);
        Vector256<uint> e = Unsafe.Add(ref v, a2), f = Unsafe.Add(ref v, b2), g = Unsafe.Add(ref v, c2), h = Unsafe.Add(ref v, d2);
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

    // Rotations by 16 and 8 move whole bytes, so one byte shuffle does each; 12 and 7 need shifts unless
    // AVX-512VL offers a native rotate.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RotateRight16(Vector256<uint> x) => Avx2.Shuffle(x.AsByte(), Vector256.Create(
        (byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RotateRight8(Vector256<uint> x) => Avx2.Shuffle(x.AsByte(), Vector256.Create(
        (byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RotateRight12(Vector256<uint> x) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 12) : (x >>> 12) | (x << 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RotateRight7(Vector256<uint> x) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, 7) : (x >>> 7) | (x << 25);
}

/// <summary>The sixteen transposed message words of one block for eight lanes.</summary>
[InlineArray(16)]
internal struct Blake3Messages256
{
    private Vector256<uint> _element;
}

/// <summary>The sixteen state words of a compression for every lane.</summary>
[InlineArray(16)]
internal struct Blake3State256
{
    private Vector256<uint> _element;
}
