namespace Pgark.Repository.Chunking;

/// <summary>
/// The 256-entry gear table of pgark's FastCDC. It is part of the repository format: chunk boundaries, and so
/// deduplication against every existing repository, depend on each bit of it. Never change it; a different table
/// would be a new chunker version with its own name in the repository config.
/// </summary>
/// <remarks>
/// Generation (spec/repository-format.md pins the same algorithm): SplitMix64 seeded with
/// <see cref="Seed"/>, entry i (0..255) is the (i+1)-th output, all arithmetic modulo 2^64:
/// <code>
/// state += 0x9E3779B97F4A7C15
/// z = state
/// z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
/// z = (z ^ (z >> 27)) * 0x94D049BB133111EB
/// gear[i] = z ^ (z >> 31)
/// </code>
/// SplitMix64 needs no library, so any reader can rebuild the table; its outputs are well mixed in every bit,
/// which the gear hash needs because a cut is decided by the hash's high bits.
/// </remarks>
internal static class GearTable
{
    /// <summary>The ASCII bytes "pgark-cd" read as a big-endian 64-bit integer.</summary>
    public const ulong Seed = 0x7067_6172_6B2D_6364;

    /// <summary>gear[b]: added to the fingerprint for input byte b.</summary>
    public static readonly ulong[] s_gear = Generate(Seed);

    /// <summary>gear[b] &lt;&lt; 1, for the loop that rolls two bytes per shift (see <see cref="FastCdc"/>).</summary>
    public static readonly ulong[] s_gearShifted = Array.ConvertAll(s_gear, entry => entry << 1);

    internal static ulong[] Generate(ulong seed)
    {
        var table = new ulong[256];
        ulong state = seed;
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = SplitMix64(ref state);
        }

        return table;
    }

    internal static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
