using System.Buffers.Binary;
using Pgark.Repository.Binary;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;

namespace Pgark.Repository.Wal;

/// <summary>
/// A WAL object's body (spec §8): 0 WalKind u8 | 1 reserved (3) | 4 Timeline u32 | 8 SegmentNumber u64 | 16 SegmentSize u32 |
/// 20 ValidLength u32 | 24 ContentId (32) | 56 FrameCount u32 | 60 Offset u32 (a Piece's first byte within the segment; 0 for
/// the other kinds) | 64 frame table (12 each: PlainLength u32,
/// StoredLength u32, Flags u8, reserved 3) | stored frames. Frames are ≤ 1 MiB of plaintext, encoded like stored chunks with
/// associated data ContentId ‖ u32 frame ordinal.
/// </summary>
internal static class WalObject
{
    public const int FixedSize = 64;
    public const int FrameEntrySize = 12;

    public static byte[] EncodeBody(WalKind kind, uint timeline, ulong segmentNumber, int segmentSize, ReadOnlySpan<byte> content,
        ChunkId contentId, StoredChunkCodec codec, int offset = 0)
    {
        var (frames, length) = EncodeFrames(0, content, contentId, codec);
        var body = new byte[length];
        Write(body, [], kind, timeline, segmentNumber, segmentSize, content.Length, contentId, offset, frames);
        return body;
    }

    /// <summary>
    /// Encodes <paramref name="content"/>'s frames and returns them with the size of the whole object file (an envelope header of
    /// <paramref name="envelopeHeaderLength"/> bytes, then the body), so the caller can <see cref="Write"/> it into a buffer it reuses:
    /// a full segment's object is megabytes, and a fresh array per object is large-object-heap churn a long-running streamer's
    /// resident memory grows with.
    /// </summary>
    public static (List<(byte[] Stored, int Plain, ChunkFlags Flags)> Frames, int Length) EncodeFrames(int envelopeHeaderLength, ReadOnlySpan<byte> content,
        ChunkId contentId, StoredChunkCodec codec)
    {
        var frames = new List<(byte[] Stored, int Plain, ChunkFlags Flags)>();
        for (var at = 0; at < content.Length; at += FormatConstants.WalFrameSize)
        {
            var plain = content.Slice(at, Math.Min(FormatConstants.WalFrameSize, content.Length - at));
            var stored = codec.Encode(plain, Aad(contentId, frames.Count), out var flags);
            frames.Add((stored, plain.Length, flags));
        }
        return (frames, EncodedSize(envelopeHeaderLength, frames));
    }

    private static int EncodedSize(int envelopeHeaderLength, List<(byte[] Stored, int Plain, ChunkFlags Flags)> frames)
        => envelopeHeaderLength + FixedSize + frames.Count * FrameEntrySize + frames.Sum(f => f.Stored.Length);

    /// <summary>Writes the object file (<paramref name="envelopeHeader"/>, then the body) into exactly <paramref name="destination"/>.</summary>
    public static void Write(Span<byte> destination, ReadOnlySpan<byte> envelopeHeader, WalKind kind, uint timeline, ulong segmentNumber,
        int segmentSize, int validLength, ChunkId contentId, int offset, List<(byte[] Stored, int Plain, ChunkFlags Flags)> frames)
    {
        envelopeHeader.CopyTo(destination);
        var body = destination[envelopeHeader.Length..];
        WriteHeader(body, kind, timeline, segmentNumber, segmentSize, validLength, contentId, offset, frames.Count);
        var at = FixedSize;
        foreach (var frame in frames)
        {
            WriteFrameEntry(body.Slice(at, FrameEntrySize), frame.Plain, frame.Stored.Length, frame.Flags);
            at += FrameEntrySize;
        }
        foreach (var frame in frames)
        {
            frame.Stored.CopyTo(body[at..]);
            at += frame.Stored.Length;
        }
    }

    /// <summary>The body's fixed 64 bytes (the frame table follows at <see cref="FixedSize"/>).</summary>
    public static void WriteHeader(Span<byte> body, WalKind kind, uint timeline, ulong segmentNumber, int segmentSize, int validLength,
        ChunkId contentId, int offset, int frameCount)
    {
        body[..FixedSize].Clear();
        body[0] = (byte)kind;
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], timeline);
        BinaryPrimitives.WriteUInt64LittleEndian(body[8..], segmentNumber);
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], (uint)segmentSize);
        BinaryPrimitives.WriteUInt32LittleEndian(body[20..], (uint)validLength);
        contentId.WriteTo(body[24..]);
        BinaryPrimitives.WriteUInt32LittleEndian(body[56..], (uint)frameCount);
        BinaryPrimitives.WriteUInt32LittleEndian(body[60..], (uint)offset);
    }

    /// <summary>One 12-byte frame table entry.</summary>
    public static void WriteFrameEntry(Span<byte> entry, int plainLength, int storedLength, ChunkFlags flags)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)plainLength);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)storedLength);
        entry[8] = (byte)flags;
        entry[9..FrameEntrySize].Clear();
    }

    /// <summary>
    /// Verify before publish for an object written from frames compressed earlier, whose plaintext is gone: the header says what
    /// was meant, every frame decodes (into one pooled buffer), and the decoded bytes hash to <paramref name="contentId"/> (computed
    /// from the received bytes as they arrived). Throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static void VerifyFrames(ReadOnlySpan<byte> body, WalKind kind, int validLength, ChunkId contentId, int offset, StoredChunkCodec codec,
        ChunkHasher hasher)
    {
        var r = new ByteReader(body);
        var frameCount = (int)ReadExpectedHeader(ref r, kind, validLength, contentId, offset);
        var table = body.Slice(FixedSize, frameCount * FrameEntrySize);
        r.Bytes(table.Length, "frame table");
        var incremental = hasher.CreateIncremental();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(FormatConstants.WalFrameSize);
        try
        {
            long at = 0;
            for (var i = 0; i < frameCount; i++)
            {
                var entry = table.Slice(i * FrameEntrySize, FrameEntrySize);
                var plain = BinaryPrimitives.ReadUInt32LittleEndian(entry);
                var stored = (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
                if (plain == 0 || plain > FormatConstants.WalFrameSize)
                    throw new InvalidDataException($"frame {i} holds {plain} bytes");
                var decoded = buffer.AsSpan(0, (int)plain);
                codec.DecodeInto(r.Bytes(stored, "frame"), (ChunkFlags)entry[8], decoded, Aad(contentId, i));
                incremental.Update(decoded);
                at += plain;
            }
            r.ExpectEnd("WAL object");
            if (at != validLength)
                throw new InvalidDataException($"frames hold {at} bytes, not {validLength}");
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        Span<byte> digest = stackalloc byte[ChunkId.Size];
        incremental.Finalize(digest);
        if (new ChunkId(digest) != contentId)
            throw new InvalidDataException("the frames do not decode to bytes hashing to the content id");
    }

    /// <summary>
    /// Verify before publish without decoding into new arrays: the body's header says what was meant and every frame
    /// decodes (into a pooled buffer) to its slice of <paramref name="content"/>. Throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static void Verify(ReadOnlySpan<byte> body, WalKind kind, ReadOnlySpan<byte> content, ChunkId contentId, int offset, StoredChunkCodec codec)
    {
        var r = new ByteReader(body);
        var frameCount = ReadExpectedHeader(ref r, kind, content.Length, contentId, offset);
        var table = new (uint Plain, uint Stored, ChunkFlags Flags)[frameCount];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (r.U32("frame PlainLength"), r.U32("frame StoredLength"), (ChunkFlags)r.U8("frame Flags"));
            r.Reserved(3, "frame reserved");
        }
        var at = 0;
        for (var i = 0; i < table.Length; i++)
        {
            if (table[i].Plain > content.Length - at
                || !codec.DecodesTo(r.Bytes((int)table[i].Stored, "frame"), table[i].Flags, content.Slice(at, (int)table[i].Plain), Aad(contentId, i)))
                throw new InvalidDataException($"frame {i} does not decode to its bytes");
            at += (int)table[i].Plain;
        }
        r.ExpectEnd("WAL object");
        if (at != content.Length)
            throw new InvalidDataException($"frames hold {at} bytes, not {content.Length}");
    }

    /// <summary>
    /// The fixed header of an object just written, checked against what was meant (kind, valid length, content id, offset);
    /// returns the frame count, once the frame table is known to fit. Both verify-before-publish paths start here.
    /// </summary>
    private static uint ReadExpectedHeader(ref ByteReader r, WalKind kind, int validLength, ChunkId contentId, int offset)
    {
        if ((WalKind)r.U8("WalKind") != kind)
            throw new InvalidDataException("the WAL kind differs");
        r.Reserved(3, "WAL reserved");
        r.U32("Timeline");
        r.U64("SegmentNumber");
        r.U32("SegmentSize");
        if (r.U32("ValidLength") != validLength || new ChunkId(r.Bytes(32, "ContentId")) != contentId)
            throw new InvalidDataException("the valid length or content id differs");
        var frameCount = r.U32("FrameCount");
        if (r.U32("Offset") != offset || (long)frameCount * FrameEntrySize > r.Remaining)
            throw new InvalidDataException("the offset or frame count differs");
        return frameCount;
    }

    /// <summary>Decodes and verifies the content against its ContentId; returns header fields and the WAL bytes.</summary>
    public static (WalKind Kind, uint Timeline, ulong SegmentNumber, int SegmentSize, byte[] Content, int Offset) DecodeBody(
        ReadOnlySpan<byte> body, StoredChunkCodec codec, ChunkHasher hasher)
    {
        var r = new ByteReader(body);
        var kind = (WalKind)r.U8("WalKind");
        if (kind is < WalKind.Full or > WalKind.Piece)
            throw new InvalidDataException($"unknown WAL object kind {(byte)kind}");
        r.Reserved(3, "WAL reserved");
        var timeline = r.U32("Timeline");
        var segmentNumber = r.U64("SegmentNumber");
        var segmentSize = r.U32("SegmentSize");
        var validLength = r.U32("ValidLength");
        var contentId = new ChunkId(r.Bytes(32, "ContentId"));
        var frameCount = r.U32("FrameCount");
        var offset = r.U32("Offset");
        if (validLength > 1 << 30 || (kind == WalKind.Full && validLength != segmentSize) || (long)frameCount * FrameEntrySize > r.Remaining
            || (kind != WalKind.Piece && offset != 0) || (kind == WalKind.Piece && (validLength == 0 || (long)offset + validLength > segmentSize)))
        {
            throw new InvalidDataException(
                $"WAL object header is inconsistent (kind {kind}, valid {validLength}, offset {offset}, segment {segmentSize}, frames {frameCount})");
        }
        var table = new (uint Plain, uint Stored, ChunkFlags Flags)[frameCount];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (r.U32("frame PlainLength"), r.U32("frame StoredLength"), (ChunkFlags)r.U8("frame Flags"));
            r.Reserved(3, "frame reserved");
        }
        var content = new byte[validLength];
        var at = 0;
        for (var i = 0; i < table.Length; i++)
        {
            if (table[i].Plain > FormatConstants.WalFrameSize || at + table[i].Plain > validLength)
                throw new InvalidDataException($"frame {i} does not fit the valid length");
            var plain = codec.Decode(r.Bytes((int)table[i].Stored, "frame"), table[i].Flags, table[i].Plain, Aad(contentId, i));
            plain.CopyTo(content, at);
            at += plain.Length;
        }
        r.ExpectEnd("WAL object");
        if (at != validLength)
            throw new InvalidDataException($"frames hold {at} bytes, ValidLength says {validLength}");
        if (hasher.Compute(content) != contentId)
            throw new InvalidDataException("WAL content does not hash to its ContentId");
        return (kind, timeline, segmentNumber, (int)segmentSize, content, (int)offset);
    }

    internal static byte[] Aad(ChunkId contentId, int ordinal)
    {
        var aad = new byte[36];
        contentId.WriteTo(aad);
        BinaryPrimitives.WriteUInt32LittleEndian(aad.AsSpan(32), (uint)ordinal);
        return aad;
    }
}
