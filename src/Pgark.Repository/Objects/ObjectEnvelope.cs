using System.Security.Cryptography;
using Pgark.Repository.Codecs;
using Pgark.Repository.Crypto;
using Pgark.Repository.Format;

namespace Pgark.Repository.Objects;

/// <summary>
/// The 8-byte object header and body transformation of spec §3:
/// offset 0 "PGKO", 4 ObjectType, 5 ObjectVersion, 6 ObjectFlags, 7 reserved; body = seal(zstd(plain)) as flagged.
/// </summary>
internal static class ObjectEnvelope
{
    public const int HeaderSize = 8;
    private const int CompressionLevel = 3;

    public static byte[] Encode(ObjectType type, ReadOnlySpan<byte> body, bool compress, SealedBox? box)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        FormatConstants.ObjectMagic.CopyTo(header);
        header[4] = (byte)type;
        header[5] = FormatConstants.ObjectVersion;
        header[6] = (byte)((compress ? ObjectFlags.Compressed : 0) | (box is not null ? ObjectFlags.Encrypted : 0));
        header[7] = 0;

        var payload = compress ? ZstdFrame(body) : body.ToArray();
        if (box is not null)
            payload = box.Seal(payload, header);
        var file = new byte[HeaderSize + payload.Length];
        header.CopyTo(file);
        payload.CopyTo(file.AsSpan(HeaderSize));
        return file;
    }

    /// <summary>Returns the plaintext body; throws <see cref="InvalidDataException"/> or <see cref="RepositoryFormatVersionException"/>.</summary>
    public static byte[] Decode(string fileName, ReadOnlySpan<byte> file, ObjectType expected, SealedBox? box, int maxBodySize = int.MaxValue)
    {
        var flags = CheckHeader(fileName, file, expected, box);
        if ((flags & ObjectFlags.Encrypted) == 0)
        {
            // Decompressed straight from the file: no copy of a large payload beside the body.
            return (flags & ObjectFlags.Compressed) != 0 ? Unzstd(file[HeaderSize..], maxBodySize) : file[HeaderSize..].ToArray();
        }
        var payload = Open(file, box);
        return (flags & ObjectFlags.Compressed) != 0 ? Unzstd(payload, maxBodySize) : payload;
    }

    /// <summary>
    /// <see cref="Decode"/> into a caller's reusable <paramref name="buffer"/> (replaced by a larger one when too small);
    /// returns the body's length. Readers of many large objects in a row (index deltas) keep one buffer instead of leaving
    /// a large array behind per object. An encrypted object still opens into a new array (the sealed box's output).
    /// </summary>
    public static int DecodeInto(string fileName, ReadOnlySpan<byte> file, ObjectType expected, SealedBox? box, ref byte[] buffer)
    {
        var flags = CheckHeader(fileName, file, expected, box);
        ReadOnlySpan<byte> payload = (flags & ObjectFlags.Encrypted) != 0 ? Open(file, box) : file[HeaderSize..];
        if ((flags & ObjectFlags.Compressed) == 0)
        {
            Reserve(ref buffer, payload.Length);
            payload.CopyTo(buffer);
            return payload.Length;
        }
        try
        {
            var size = Zstd.GetFrameContentSize(payload) ?? throw new InvalidDataException("zstd frame does not record its size");
            if (size > Array.MaxLength)
                throw new InvalidDataException($"body of {size} bytes exceeds the limit of {Array.MaxLength}");
            Reserve(ref buffer, (int)size);
            Zstd.DecompressExact(payload, buffer.AsSpan(0, (int)size));
            return (int)size;
        }
        catch (ZstdException e)
        {
            throw new InvalidDataException($"zstd frame does not decode: {e.Message}", e);
        }
    }

    private static void Reserve(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = GC.AllocateUninitializedArray<byte>(length);
    }

    private static ObjectFlags CheckHeader(string fileName, ReadOnlySpan<byte> file, ObjectType expected, SealedBox? box)
    {
        if (file.Length < HeaderSize || !file[..4].SequenceEqual(FormatConstants.ObjectMagic))
            throw new InvalidDataException("object header magic 'PGKO' not found");
        if (file[4] != (byte)expected)
            throw new InvalidDataException($"object type {file[4]} where {(byte)expected} ({expected}) was expected");
        if (file[5] != FormatConstants.ObjectVersion)
            throw new RepositoryFormatVersionException(fileName, file[5], FormatConstants.ObjectVersion);
        var flags = (ObjectFlags)file[6];
        if ((flags & ~(ObjectFlags.Compressed | ObjectFlags.Encrypted)) != 0 || file[7] != 0)
            throw new InvalidDataException($"reserved object header bits set (flags 0x{file[6]:x2}, byte 7 0x{file[7]:x2})");
        var encrypted = (flags & ObjectFlags.Encrypted) != 0;
        if (encrypted != (box is not null) && expected is not (ObjectType.Key or ObjectType.Lock or ObjectType.Wal))
            throw new InvalidDataException(encrypted ? "object is encrypted but the repository is not" : "object is not encrypted in an encrypted repository");
        return flags;
    }

    private static byte[] Open(ReadOnlySpan<byte> file, SealedBox? box)
    {
        if (box is null)
            throw new InvalidDataException("object is encrypted but no key is loaded");
        try
        {
            return box.Open(file[HeaderSize..], file[..HeaderSize]);
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException("authentication of the sealed body failed", e);
        }
    }

    internal static byte[] ZstdFrame(ReadOnlySpan<byte> plain)
    {
        var buffer = new byte[Zstd.CompressBound(plain.Length)];
        var written = Zstd.Compress(plain, buffer, CompressionLevel);
        return buffer.AsSpan(0, written).ToArray();
    }

    private static byte[] Unzstd(ReadOnlySpan<byte> frame, int maxBodySize)
    {
        try
        {
            var size = Zstd.GetFrameContentSize(frame) ?? throw new InvalidDataException("zstd frame does not record its size");
            if (size > maxBodySize)
                throw new InvalidDataException($"body of {size} bytes exceeds the limit of {maxBodySize}");
            var plain = new byte[size];
            Zstd.DecompressExact(frame, plain);
            return plain;
        }
        catch (ZstdException e)
        {
            throw new InvalidDataException($"zstd frame does not decode: {e.Message}", e);
        }
    }
}
