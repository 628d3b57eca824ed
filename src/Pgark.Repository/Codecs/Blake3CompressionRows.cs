using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// One compression with the 4x4 state held as four Vector128 rows: the four column G functions run as one
/// vector step, then the rows are rotated so the diagonals line up as columns (spec section 5.3). This is the
/// single-block path (small inputs, partial chunks, lone parents, extended output) when the CPU has 128-bit SIMD.
/// </summary>
internal static class Blake3CompressionRows
{
    public static bool IsSupported => Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian;

    // Never inlined: Dynamic PGO otherwise pulls this large body into hot callers' loops and the result runs 4x slower.
    [MethodImpl(MethodImplOptions.NoInlining | HotLoop.Optimization)]
    public static void Compress(
        ReadOnlySpan<byte> cv, ReadOnlySpan<byte> block, ulong counter, uint blockLength, uint flags, Span<byte> output)
    {
        Debug.Assert(IsSupported && cv.Length == CvLength && block.Length == BlockLength);
        Debug.Assert(output.Length == CvLength || output.Length == 2 * CvLength);
        ref byte c = ref MemoryMarshal.GetReference(cv);
        ref uint m = ref Unsafe.As<byte, uint>(ref MemoryMarshal.GetReference(block));
        Vector128<uint> cv0 = Vector128.LoadUnsafe(ref c).AsUInt32();
        Vector128<uint> cv1 = Vector128.LoadUnsafe(ref c, 16).AsUInt32();
        Vector128<uint> row0 = cv0, row1 = cv1;
        Vector128<uint> row2 = Vector128.Create(IV0, IV1, IV2, IV3);
        Vector128<uint> row3 = Vector128.Create((uint)counter, (uint)(counter >> 32), blockLength, flags);

        // Message words for each round in the spec's permuted order: first the columns' x and y, then the diagonals'.
        Round(ref row0, ref row1, ref row2, ref row3, Gather(ref m, 0, 2, 4, 6), Gather(ref m, 1, 3, 5, 7),
            Gather(ref m, 8, 10, 12, 14), Gather(ref m, 9, 11, 13, 15));
        Round(ref row0, ref row1, ref row2, ref row3, Gather(ref m, 2, 3, 7, 4), Gather(ref m, 6, 10, 0, 13),
            Gather(ref m, 1, 12, 9, 15), Gather(ref m, 11, 5, 14, 8));
        Round(ref row0, ref row1, ref row2, ref row3, Gather(ref m, 3, 10, 13, 7), Gather(ref m, 4, 12, 2, 14),
            Gather(ref m, 6, 9, 11, 8), Gather(ref m, 5, 0, 15, 1));
        Round(ref row0, ref row1, ref row2, ref row3, Gather(ref m, 10, 12, 14, 13), Gather(ref m, 7, 9, 3, 15),
            Gather(ref m, 4, 11, 5, 1), Gather(ref m, 0, 2, 8, 6));
        Round(ref row0, ref row1, ref row2, ref row3, Gather(ref m, 12, 9, 15, 14), Gather(ref m, 13, 11, 10, 8),
            Gather(ref m, 7, 5, 0, 6), Gather(ref m, 2, 3, 1, 4));
        Round(ref row0, ref row1, ref row2, ref row3, Gather(ref m, 9, 11, 8, 15), Gather(ref m, 14, 5, 12, 1),
            Gather(ref m, 13, 0, 2, 4), Gather(ref m, 3, 10, 6, 7));
        Round(ref row0, ref row1, ref row2, ref row3, Gather(ref m, 11, 5, 1, 8), Gather(ref m, 15, 0, 9, 6),
            Gather(ref m, 14, 2, 3, 7), Gather(ref m, 10, 12, 4, 13));

        ref byte o = ref MemoryMarshal.GetReference(output);
        (row0 ^ row2).AsByte().StoreUnsafe(ref o);
        (row1 ^ row3).AsByte().StoreUnsafe(ref o, 16);
        if (output.Length == 2 * CvLength)
        {
            (row2 ^ cv0).AsByte().StoreUnsafe(ref o, 32);
            (row3 ^ cv1).AsByte().StoreUnsafe(ref o, 48);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(
        ref Vector128<uint> row0, ref Vector128<uint> row1, ref Vector128<uint> row2, ref Vector128<uint> row3,
        Vector128<uint> columnX, Vector128<uint> columnY, Vector128<uint> diagonalX, Vector128<uint> diagonalY)
    {
        G(ref row0, ref row1, ref row2, ref row3, columnX, columnY);

        // Rotate rows 1-3 left by 1, 2 and 3 words: diagonal (0,5,10,15) etc. becomes a column.
        row1 = Vector128.Shuffle(row1, Vector128.Create(1u, 2, 3, 0));
        row2 = Vector128.Shuffle(row2, Vector128.Create(2u, 3, 0, 1));
        row3 = Vector128.Shuffle(row3, Vector128.Create(3u, 0, 1, 2));
        G(ref row0, ref row1, ref row2, ref row3, diagonalX, diagonalY);
        row1 = Vector128.Shuffle(row1, Vector128.Create(3u, 0, 1, 2));
        row2 = Vector128.Shuffle(row2, Vector128.Create(2u, 3, 0, 1));
        row3 = Vector128.Shuffle(row3, Vector128.Create(1u, 2, 3, 0));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(
        ref Vector128<uint> a, ref Vector128<uint> b, ref Vector128<uint> c, ref Vector128<uint> d, Vector128<uint> x, Vector128<uint> y)
    {
        a += b + x;
        d = Blake3Simd128.RotateRight16(d ^ a);
        c += d;
        b = Blake3Simd128.RotateRight12(b ^ c);
        a += b + y;
        d = Blake3Simd128.RotateRight8(d ^ a);
        c += d;
        b = Blake3Simd128.RotateRight7(b ^ c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Gather(ref uint m, int i, int j, int k, int l) =>
        Vector128.Create(Unsafe.Add(ref m, i), Unsafe.Add(ref m, j), Unsafe.Add(ref m, k), Unsafe.Add(ref m, l));
}
