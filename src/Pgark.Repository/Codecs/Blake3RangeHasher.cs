using System.Diagnostics.CodeAnalysis;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>
/// Hashes the bytes [offset, offset + n) of a larger input, so that parts of one input can be hashed apart (on
/// other threads, over other connections) and joined into the whole input's plain BLAKE3 hash with
/// <see cref="Blake3Range.Root"/>. The offset must be a multiple of 1024, the BLAKE3 chunk length; the length is
/// anything, though every range but the input's last must end on a chunk boundary too.
/// </summary>
/// <remarks>
/// It is a <see cref="Blake3Hasher"/> whose chunk counter starts at the range's first chunk, so it hashes at the
/// same speed (whole subtrees on the vector backend) and allocates nothing until <see cref="Complete"/>. Not
/// thread-safe; use one per range.
/// </remarks>
public sealed class Blake3RangeHasher
{
    private readonly Blake3Hasher _hasher;

    /// <param name="offset">Where the range starts in the whole input, in bytes: a multiple of 1024.</param>
    public Blake3RangeHasher(ulong offset)
        : this(offset, Blake3Backends.Best)
    {
    }

    internal Blake3RangeHasher(ulong offset, Blake3Backend backend)
    {
        if (offset % ChunkLength != 0)
        {
            ThrowUnalignedOffset(offset);
        }

        Offset = offset;
        _hasher = new Blake3Hasher(IVBytes, 0, backend, offset / ChunkLength);
    }

    public ulong Offset { get; }

    /// <summary>Bytes absorbed so far.</summary>
    public ulong Length => _hasher.Length;

    /// <summary>Absorbs the range's next bytes; any split gives the same result.</summary>
    public void Update(ReadOnlySpan<byte> input) => _hasher.Update(input);

    /// <summary>The range hashed so far, ready for <see cref="Blake3Range.Root"/>. The hasher stays usable.</summary>
    public Blake3Range Complete() => _hasher.CompleteRange();

    [DoesNotReturn]
    private static void ThrowUnalignedOffset(ulong offset) =>
        throw new ArgumentException(
            $"A BLAKE3 range must start at a multiple of 1024 bytes (the chunk length), got offset {offset}; split the input at a multiple of 1024, e.g. {offset / ChunkLength * ChunkLength}.",
            nameof(offset));
}
