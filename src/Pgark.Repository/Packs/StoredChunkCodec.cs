using System.Buffers;
using System.Security.Cryptography;
using Pgark.Repository.Codecs;
using Pgark.Repository.Crypto;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Packs;

/// <summary>
/// Plaintext ↔ stored chunk (spec §5.3): zstd when it saves at least 1/32, then, in an encrypted repository, a sealed
/// box with the chunk id as associated data. Also used for WAL frames.
/// </summary>
public sealed class StoredChunkCodec
{
    private readonly int? _compressionLevel;
    private readonly SealedBox? _box;

    // Chunks are compressed with the level's large-input parameters (ZstdCompressor largeInputParameters): for chunk-sized
    // frames zstd's small-input rows are no faster here and compress worse (level 3: 2% more stored bytes on the benchmark data).
    [ThreadStatic]
    private static ZstdCompressor? t_compressor;

    /// <param name="compressionLevel">zstd level (negative allowed); null stores every chunk raw.</param>
    public StoredChunkCodec(int? compressionLevel, SealedBox? box)
    {
        _compressionLevel = compressionLevel;
        _box = box;
    }

    public bool Encrypted => _box is not null;

    internal SealedBox? Box => _box;

    public byte[] Encode(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, out ChunkFlags flags)
    {
        var scratch = RentCompressionScratch(plaintext.Length);
        try
        {
            var payload = CompressOrKeep(plaintext, scratch, out flags);
            return _box is null ? payload.ToArray() : _box.Seal(payload, associatedData);
        }
        finally
        {
            ReturnCompressionScratch(scratch);
        }
    }

    /// <summary>
    /// As <see cref="Encode"/>, but the stored bytes land in a buffer rented from <paramref name="pool"/> (the ingest workers'
    /// path: one chunk-sized array per new chunk would otherwise be allocated, zeroed and collected). A sealed box allocates
    /// its own output, which is then returned as is (pool null).
    /// </summary>
    internal (byte[] Buffer, int Length, ArrayPool<byte>? Pool) EncodeRented(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData,
        ArrayPool<byte> pool, out ChunkFlags flags)
    {
        if (_box is not null)
        {
            var sealedBytes = Encode(plaintext, associatedData, out flags);
            return (sealedBytes, sealedBytes.Length, null);
        }
        var scratch = RentCompressionScratch(plaintext.Length);
        try
        {
            var payload = CompressOrKeep(plaintext, scratch, out flags);
            var rented = pool.Rent(Math.Max(1, payload.Length));
            payload.CopyTo(rented);
            return (rented, payload.Length, pool);
        }
        finally
        {
            ReturnCompressionScratch(scratch);
        }
    }

    private byte[]? RentCompressionScratch(int plainLength)
        => _compressionLevel is not null && plainLength > 0 ? ArrayPool<byte>.Shared.Rent(Zstd.CompressBound(plainLength)) : null;

    private static void ReturnCompressionScratch(byte[]? scratch)
    {
        if (scratch is not null)
            ArrayPool<byte>.Shared.Return(scratch);
    }

    /// <summary>The zstd frame in <paramref name="scratch"/> when it saves enough, else <paramref name="plaintext"/> itself.</summary>
    private ReadOnlySpan<byte> CompressOrKeep(ReadOnlySpan<byte> plaintext, byte[]? scratch, out ChunkFlags flags)
    {
        flags = ChunkFlags.None;
        if (_compressionLevel is not { } level || scratch is null)
            return plaintext;
        var compressor = t_compressor ??= new ZstdCompressor(level, largeInputParameters: true);
        compressor.Level = level;
        var written = compressor.Compress(plaintext, scratch);
        // Keep the frame only if it saves at least 1/32: below that, decompression costs more than the bytes saved.
        if (written > plaintext.Length - plaintext.Length / 32 || written >= plaintext.Length)
            return plaintext;
        flags = ChunkFlags.Compressed;
        return scratch.AsSpan(0, written);
    }

    /// <summary>
    /// The compression step of <see cref="Encode"/> alone, into <paramref name="destination"/> (at least
    /// <see cref="CompressBound"/> bytes): the same keep-only-if-it-saves-1/32 rule, raw bytes otherwise; returns the length
    /// written. The caller seals the payload (<see cref="Seal"/>) once it knows the associated data: a WAL segment's frames are
    /// compressed as they arrive, long before the segment's content id is known.
    /// </summary>
    internal int Compress(ReadOnlySpan<byte> plaintext, Span<byte> destination, out ChunkFlags flags)
    {
        flags = ChunkFlags.None;
        if (_compressionLevel is { } level && plaintext.Length > 0)
        {
            var compressor = t_compressor ??= new ZstdCompressor(level, largeInputParameters: true);
            compressor.Level = level;
            var written = compressor.Compress(plaintext, destination);
            if (written <= plaintext.Length - plaintext.Length / 32 && written < plaintext.Length)
            {
                flags = ChunkFlags.Compressed;
                return written;
            }
        }
        plaintext.CopyTo(destination);
        return plaintext.Length;
    }

    /// <summary>Room <see cref="Compress"/> needs for <paramref name="plainLength"/> bytes.</summary>
    internal static int CompressBound(int plainLength) => Math.Max(plainLength, Zstd.CompressBound(plainLength));

    /// <summary>The sealing step of <see cref="Encode"/>: the payload itself when the repository is not encrypted.</summary>
    internal ReadOnlySpan<byte> Seal(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> associatedData)
        => _box is null ? payload : _box.Seal(payload, associatedData);

    /// <summary>Whether an unsealed payload from <see cref="Compress"/> decodes to exactly <paramref name="plaintext"/> (a pooled buffer).</summary>
    internal static bool PayloadDecodesTo(ReadOnlySpan<byte> payload, ChunkFlags flags, ReadOnlySpan<byte> plaintext)
    {
        if ((flags & ChunkFlags.Compressed) == 0)
            return payload.SequenceEqual(plaintext);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, plaintext.Length));
        try
        {
            var decoded = buffer.AsSpan(0, plaintext.Length);
            Zstd.DecompressExact(payload, decoded);
            return decoded.SequenceEqual(plaintext);
        }
        catch (ZstdException)
        {
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Decodes a stored frame into <paramref name="destination"/> (exactly its plaintext length) without allocating it:
    /// verify-before-publish of objects built from already-compressed frames. Throws <see cref="InvalidDataException"/>.
    /// </summary>
    internal void DecodeInto(ReadOnlySpan<byte> stored, ChunkFlags flags, Span<byte> destination, ReadOnlySpan<byte> associatedData)
    {
        if (_box is null && flags == ChunkFlags.None && stored.Length == destination.Length)
        {
            stored.CopyTo(destination);
            return;
        }
        if (_box is not null || (flags & ChunkFlags.Compressed) == 0)
        {
            Decode(stored, flags, (uint)destination.Length, associatedData).CopyTo(destination);
            return;
        }
        try
        {
            Zstd.DecompressExact(stored, destination);
        }
        catch (ZstdException e)
        {
            throw new InvalidDataException($"zstd frame does not decode to {destination.Length} bytes: {e.Message}", e);
        }
    }

    /// <summary>Recovers the plaintext; throws <see cref="InvalidDataException"/> describing what failed.</summary>
    public byte[] Decode(ReadOnlySpan<byte> stored, ChunkFlags flags, uint plainLength, ReadOnlySpan<byte> associatedData)
    {
        if ((flags & ~ChunkFlags.Compressed) != 0)
            throw new InvalidDataException($"unknown chunk flags 0x{(byte)flags:x2}");
        if (plainLength > FormatConstants.MaxChunkSize)
            throw new InvalidDataException($"plain length {plainLength} exceeds the chunk limit");
        ReadOnlySpan<byte> payload = stored;
        if (_box is not null)
        {
            try
            {
                payload = _box.Open(stored, associatedData);
            }
            catch (CryptographicException e)
            {
                throw new InvalidDataException("sealed box does not authenticate", e);
            }
        }
        if ((flags & ChunkFlags.Compressed) == 0)
        {
            if (payload.Length != plainLength)
                throw new InvalidDataException($"raw chunk is {payload.Length} bytes, the entry says {plainLength}");
            return payload.ToArray();
        }
        var plain = new byte[plainLength];
        try
        {
            Zstd.DecompressExact(payload, plain);
        }
        catch (ZstdException e)
        {
            throw new InvalidDataException($"zstd frame does not decode to {plainLength} bytes: {e.Message}", e);
        }
        return plain;
    }

    /// <summary>
    /// Whether <paramref name="stored"/> decodes to exactly <paramref name="plaintext"/>: verify-before-publish without
    /// allocating (the decoded copy goes to a pooled buffer; chunk-sized arrays would land on the large object heap).
    /// </summary>
    public bool DecodesTo(ReadOnlySpan<byte> stored, ChunkFlags flags, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        // A raw chunk of an unencrypted repository is its plaintext: compared in place (Decode would copy it to a new array,
        // a large-object allocation per incompressible chunk).
        if (_box is null && flags == ChunkFlags.None)
            return stored.SequenceEqual(plaintext);
        if (_box is not null || (flags & ChunkFlags.Compressed) == 0)
            return Decode(stored, flags, (uint)plaintext.Length, associatedData).AsSpan().SequenceEqual(plaintext);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, plaintext.Length));
        try
        {
            var decoded = buffer.AsSpan(0, plaintext.Length);
            Zstd.DecompressExact(stored, decoded);
            return decoded.SequenceEqual(plaintext);
        }
        catch (ZstdException e)
        {
            throw new InvalidDataException($"zstd frame does not decode to {plaintext.Length} bytes: {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes and checks the id (spec §5.3: a reader MUST re-hash).</summary>
    public byte[] DecodeVerified(ReadOnlySpan<byte> stored, in PackEntry entry, ChunkHasher hasher)
    {
        Span<byte> aad = stackalloc byte[ChunkId.Size];
        entry.Id.WriteTo(aad);
        var plain = Decode(stored, entry.Flags, entry.PlainLength, aad);
        var actual = hasher.Compute(plain);
        if (actual != entry.Id)
            throw new InvalidDataException($"plaintext hashes to {actual}, not to its id");
        return plain;
    }
}
