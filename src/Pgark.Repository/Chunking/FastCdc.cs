using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pgark.Repository.Chunking;

/// <summary>
/// FastCDC content-defined chunking (Xia et al., "The Design of Fast Content-Defined Chunking for Data
/// Deduplication Based Storage Systems", 2020) with normalized chunking and the gear table of <see cref="GearTable"/>.
/// </summary>
/// <remarks>
/// <para>The boundary rule, which the repository spec pins (b = the bytes from the chunk's start, n = their count):</para>
/// <code>
/// if n &lt;= min: the chunk is all n bytes (only at the end of the stream)
/// fp = 0
/// for i in min .. min(n, max) - 1:
///     fp = (fp &lt;&lt; 1) + gear[b[i]]                (mod 2^64)
///     mask = i &lt; avg ? maskS : maskL
///     if fp &amp; mask == 0: cut after b[i], the chunk is i + 1 bytes
/// no cut found: the chunk is min(n, max) bytes
/// maskS = Mask(log2(avg) + nc), maskL = Mask(log2(avg) - nc), Mask(k) = ((1 &lt;&lt; k) - 1) &lt;&lt; (63 - k)
/// </code>
/// <para>
/// Masks take the k bits just below the top bit: bit j of fp depends on the last j + 1 bytes, so high bits see a
/// window of up to 63 bytes, and leaving bit 63 out lets the loop roll two bytes per shift: it keeps fp shifted left
/// by one after the first byte of a pair and tests it against mask &lt;&lt; 1, which is exact because bit 63 of the mask
/// is zero. The result is identical to the byte-at-a-time rule above (a test checks this against a naive version).
/// </para>
/// </remarks>
public sealed class FastCdc
{
    private readonly int _minSize;
    private readonly int _averageSize;
    private readonly int _maxSize;
    private readonly ulong _maskSmall;
    private readonly ulong _maskLarge;

    public FastCdc(FastCdcOptions options)
    {
        options.Validate();
        Options = options;
        _minSize = options.MinSize;
        _averageSize = options.AverageSize;
        _maxSize = options.MaxSize;
        int bits = BitOperations.Log2((uint)options.AverageSize);
        _maskSmall = Mask(bits + options.NormalizationLevel);
        _maskLarge = Mask(bits - options.NormalizationLevel);
    }

    public FastCdcOptions Options { get; }

    /// <summary>The mask with <paramref name="bits"/> one-bits just below bit 63.</summary>
    internal static ulong Mask(int bits) => ((1UL << bits) - 1) << (63 - bits);

    /// <summary>
    /// Length of the chunk that starts at <paramref name="buffered"/>[0], or -1 when more data is needed to decide
    /// (fewer than max bytes buffered, no cut among them, and not <paramref name="isFinal"/>). With
    /// <paramref name="isFinal"/> it always returns a length, 0 only for empty input.
    /// </summary>
    /// <remarks>
    /// The answer depends only on the bytes from the chunk start, so any buffering gives the same chunks. A call
    /// that returns -1 scans what it was given, so callers should buffer at least <see cref="FastCdcOptions.MaxSize"/>
    /// bytes (as <see cref="StreamChunker"/> does) to scan each byte once.
    /// </remarks>
    public int FindCutPoint(ReadOnlySpan<byte> buffered, bool isFinal)
    {
        int length = buffered.Length;
        if (length <= _minSize)
        {
            return isFinal ? length : -1;
        }

        int end = Math.Min(length, _maxSize);
        int normal = Math.Min(end, _averageSize);
        ref byte data = ref MemoryMarshal.GetReference(buffered);
        ulong fingerprint = 0;
        int cut = Scan(ref data, _minSize, normal, _maskSmall, ref fingerprint);
        if (cut < 0)
        {
            cut = Scan(ref data, normal, end, _maskLarge, ref fingerprint);
        }

        if (cut >= 0)
        {
            return cut;
        }

        return end == _maxSize || isFinal ? end : -1;
    }

    /// <summary>Rolls the gear hash over data[start..end); returns the chunk length at the first cut, or -1.</summary>
    [MethodImpl(HotLoop.Optimization)]
    private static int Scan(ref byte data, int start, int end, ulong mask, ref ulong fingerprint)
    {
        ref ulong gear = ref MemoryMarshal.GetArrayDataReference(GearTable.s_gear);
        ref ulong gearShifted = ref MemoryMarshal.GetArrayDataReference(GearTable.s_gearShifted);
        ulong maskShifted = mask << 1;
        ulong fp = fingerprint;
        int i = start;

        // Two bytes per iteration: after the first byte fp holds the true fingerprint shifted left by one.
        for (; i + 1 < end; i += 2)
        {
            fp = (fp << 2) + Unsafe.Add(ref gearShifted, (nuint)Unsafe.Add(ref data, i));
            if ((fp & maskShifted) == 0)
            {
                return i + 1;
            }

            fp += Unsafe.Add(ref gear, (nuint)Unsafe.Add(ref data, i + 1));
            if ((fp & mask) == 0)
            {
                return i + 2;
            }
        }

        if (i < end)
        {
            fp = (fp << 1) + Unsafe.Add(ref gear, (nuint)Unsafe.Add(ref data, i));
            if ((fp & mask) == 0)
            {
                return i + 1;
            }
        }

        fingerprint = fp;
        return -1;
    }
}
