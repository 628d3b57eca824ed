using System.Runtime.CompilerServices;

namespace Pgark.Repository.Codecs;

/// <summary>Sizes, domain flags and the IV from the BLAKE3 specification (section 2).</summary>
internal static class Blake3Constants
{
    public const int BlockLength = 64;
    public const int ChunkLength = 1024;
    public const int BlocksPerChunk = ChunkLength / BlockLength;
    public const int CvLength = 32;

    /// <summary>
    /// 2^54 chunks of 1 KiB is 2^64 bytes, so the chaining-value stack never holds more than 54 subtrees.
    /// </summary>
    public const int MaxTreeDepth = 54;

    public const uint ChunkStart = 1 << 0;
    public const uint ChunkEnd = 1 << 1;
    public const uint Parent = 1 << 2;
    public const uint Root = 1 << 3;
    public const uint KeyedHash = 1 << 4;
    public const uint DeriveKeyContext = 1 << 5;
    public const uint DeriveKeyMaterial = 1 << 6;

    public const uint IV0 = 0x6A09E667, IV1 = 0xBB67AE85, IV2 = 0x3C6EF372, IV3 = 0xA54FF53A;
    public const uint IV4 = 0x510E527F, IV5 = 0x9B05688C, IV6 = 0x1F83D9AB, IV7 = 0x5BE0CD19;

    /// <summary>
    /// Message word order for each of the seven rounds: round r uses the spec's fixed permutation applied r times,
    /// so precomputing the orders saves permuting the message between rounds.
    /// </summary>
    public static ReadOnlySpan<byte> MessageSchedule =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8,
        3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1,
        10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6,
        12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4,
        9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7,
        11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13,
    ];

    /// <summary>The IV as 32 little-endian bytes: the key of the unkeyed hash and of derive_key's context pass.</summary>
    public static ReadOnlySpan<byte> IVBytes =>
    [
        0x67, 0xE6, 0x09, 0x6A, 0x85, 0xAE, 0x67, 0xBB, 0x72, 0xF3, 0x6E, 0x3C, 0x3A, 0xF5, 0x4F, 0xA5,
        0x7F, 0x52, 0x0E, 0x51, 0x8C, 0x68, 0x05, 0x9B, 0xAB, 0xD9, 0x83, 0x1F, 0x19, 0xCD, 0xE0, 0x5B,
    ];
}

/// <summary>A 32-byte chaining value or key, kept as little-endian bytes so parent blocks are plain concatenations.</summary>
[InlineArray(Blake3Constants.CvLength)]
internal struct Blake3CvBuffer
{
    private byte _element;
}

/// <summary>One 64-byte message block.</summary>
[InlineArray(Blake3Constants.BlockLength)]
internal struct Blake3BlockBuffer
{
    private byte _element;
}

/// <summary>
/// Room for the deepest possible chaining-value stack: up to two subtrees per tree level, because a hasher for a
/// range that starts inside the input (Blake3RangeHasher) holds rising subtrees up to an aligned point, then falling ones.
/// </summary>
[InlineArray(2 * Blake3Constants.MaxTreeDepth * Blake3Constants.CvLength)]
internal struct Blake3CvStackBuffer
{
    private byte _element;
}
