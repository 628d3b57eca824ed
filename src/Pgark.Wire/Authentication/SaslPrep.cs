using System.Text;

namespace Pgark.Wire.Authentication;

/// <summary>
/// SASLprep (RFC 4013) of a password the way PostgreSQL's <c>pg_saslprep</c> does it, so the client derives the
/// same salted password as the server did when it stored the SCRAM verifier.
/// </summary>
/// <remarks>
/// Unicode data comes from generated Unicode 3.2 tables (<c>SaslPrep.Tables.cs</c>), not from the runtime:
/// pgark builds with InvariantGlobalization, where <see cref="string.Normalize(NormalizationForm)"/> returns its
/// input unchanged, which would silently break passwords such as "ﬁ" or decomposed accents.
/// Like PostgreSQL, a password that fails SASLprep (prohibited or unassigned characters, bidi rule violations)
/// is used as it is rather than rejected: the server applied the same fallback when the password was set.
/// </remarks>
internal static partial class SaslPrep
{
    private const int HangulSBase = 0xAC00, HangulLBase = 0x1100, HangulVBase = 0x1161, HangulTBase = 0x11A7;
    private const int HangulLCount = 19, HangulVCount = 21, HangulTCount = 28;
    private const int HangulNCount = HangulVCount * HangulTCount, HangulSCount = HangulLCount * HangulNCount;

    /// <summary>Returns the prepared password, or <paramref name="password"/> itself when SASLprep fails.</summary>
    public static string Prepare(string password)
    {
        if (Ascii.IsValid(password))
            return password; // PostgreSQL's fast path: pure ASCII is passed through untouched, control characters included.
        return TryPrepare(password, out string? prepared) ? prepared : password;
    }

    /// <summary>Strict SASLprep: false when the input contains prohibited, unassigned or bidi-violating characters.</summary>
    public static bool TryPrepare(string input, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? prepared)
    {
        prepared = null;
        if (!TryGetCodePoints(input, out List<int>? codePoints))
            return false; // lone surrogate: not valid UTF-8 on the wire either

        var mapped = new List<int>(codePoints.Count);
        foreach (int cp in codePoints)
        {
            if (InRanges(NonAsciiSpace, cp))
                mapped.Add(' ');
            else if (!InRanges(MappedToNothing, cp))
                mapped.Add(cp);
        }

        List<int> normalized = Compose(Decompose(mapped));
        if (!PassesProhibitionAndBidi(normalized))
            return false;

        var builder = new StringBuilder(normalized.Count);
        foreach (int cp in normalized)
            builder.Append(char.ConvertFromUtf32(cp));
        prepared = builder.ToString();
        return true;
    }

    private static bool TryGetCodePoints(string input, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out List<int>? codePoints)
    {
        codePoints = new List<int>(input.Length);
        ReadOnlySpan<char> rest = input;
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                codePoints = null;
                return false;
            }
            codePoints.Add(rune.Value);
            rest = rest[consumed..];
        }
        return true;
    }

    private static bool PassesProhibitionAndBidi(List<int> codePoints)
    {
        bool hasRandAL = false, hasL = false;
        foreach (int cp in codePoints)
        {
            if (InRanges(Prohibited, cp) || InRanges(Unassigned, cp))
                return false;
            hasRandAL |= InRanges(RandALCat, cp);
            hasL |= InRanges(LCat, cp);
        }
        // RFC 3454 section 6: a string with any RandALCat character has no LCat, and starts and ends with RandALCat.
        if (!hasRandAL)
            return true;
        return !hasL && InRanges(RandALCat, codePoints[0]) && InRanges(RandALCat, codePoints[^1]);
    }

    /// <summary>NFKD: full compatibility decomposition, then canonical ordering of combining marks.</summary>
    private static List<int> Decompose(List<int> codePoints)
    {
        var result = new List<int>(codePoints.Count);
        foreach (int cp in codePoints)
        {
            if (cp >= HangulSBase && cp < HangulSBase + HangulSCount)
            {
                int sIndex = cp - HangulSBase;
                result.Add(HangulLBase + sIndex / HangulNCount);
                result.Add(HangulVBase + sIndex % HangulNCount / HangulTCount);
                if (sIndex % HangulTCount != 0)
                    result.Add(HangulTBase + sIndex % HangulTCount);
                continue;
            }
            int index = DecompositionKeys.BinarySearch(cp);
            if (index < 0)
            {
                result.Add(cp);
                continue;
            }
            foreach (int part in DecompositionData[DecompositionOffsets[index]..DecompositionOffsets[index + 1]])
                result.Add(part);
        }

        // Canonical ordering: a stable sort of each run of non-starters by combining class (insertion sort, runs are short).
        for (int i = 1; i < result.Count; i++)
        {
            int cls = CombiningClass(result[i]);
            if (cls == 0)
                continue;
            int j = i;
            while (j > 0 && CombiningClass(result[j - 1]) > cls)
            {
                (result[j - 1], result[j]) = (result[j], result[j - 1]);
                j--;
            }
        }
        return result;
    }

    /// <summary>Canonical composition (the "C" of NFKC), Unicode standard annex 15 algorithm.</summary>
    private static List<int> Compose(List<int> decomposed)
    {
        var result = new List<int>(decomposed.Count);
        int starterIndex = -1;
        int lastClass = -1;
        foreach (int cp in decomposed)
        {
            int cls = CombiningClass(cp);
            if (starterIndex >= 0 && (lastClass < cls || lastClass == 0 && result.Count - 1 == starterIndex)
                && TryCompose(result[starterIndex], cp, out int composite))
            {
                result[starterIndex] = composite;
                continue;
            }
            if (cls == 0)
            {
                starterIndex = result.Count;
                lastClass = 0;
            }
            else
            {
                lastClass = cls;
            }
            result.Add(cp);
        }
        return result;
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        // Hangul L+V and LV+T are algorithmic.
        if (first >= HangulLBase && first < HangulLBase + HangulLCount && second >= HangulVBase && second < HangulVBase + HangulVCount)
        {
            composite = HangulSBase + ((first - HangulLBase) * HangulVCount + (second - HangulVBase)) * HangulTCount;
            return true;
        }
        if (first >= HangulSBase && first < HangulSBase + HangulSCount && (first - HangulSBase) % HangulTCount == 0
            && second > HangulTBase && second < HangulTBase + HangulTCount)
        {
            composite = first + (second - HangulTBase);
            return true;
        }
        int index = CompositionPairs.BinarySearch(((long)first << 21) | (uint)second);
        composite = index >= 0 ? CompositionResults[index] : 0;
        return index >= 0;
    }

    private static int CombiningClass(int cp)
    {
        ReadOnlySpan<int> table = CombiningClasses;
        int lo = 0, hi = table.Length / 3 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cp < table[mid * 3])
                hi = mid - 1;
            else if (cp > table[mid * 3 + 1])
                lo = mid + 1;
            else
                return table[mid * 3 + 2];
        }
        return 0;
    }

    private static bool InRanges(ReadOnlySpan<int> ranges, int cp)
    {
        int lo = 0, hi = ranges.Length / 2 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[mid * 2])
                hi = mid - 1;
            else if (cp > ranges[mid * 2 + 1])
                lo = mid + 1;
            else
                return true;
        }
        return false;
    }
}
