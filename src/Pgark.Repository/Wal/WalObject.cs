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
        => Encode([], kind, timeline, segmentNumber, segmentSize, content, contentId, codec, offset).ToArray();

    /// <summary>
    /// The whole object file, <paramref name="envelopeHeader"/> then the body, built in one buffer: a full segment's
    /// object is megabytes, and each extra copy would be one more large-object-heap array per segment.
    /// </summary>
    public static ReadOnlyMemory<byte> Encode(ReadOnlySpan<byte> envelopeHeader, WalKind kind, uint timeline, ulong segmentNumber, int segmentSize,
        ReadOnlySpan<byte> content, ChunkId contentId, StoredChunkCodec codec, int offset = 0)
    {
        var frames = new List<(byte[] Stored, int Plain, ChunkFlags Flags)>();
        for (var at = 0; at < content.Length; at += FormatConstants.WalFrameSize)
        {
            var plain = content.Slice(at, Math.Min(FormatConstants.WalFrameSize, content.Length - at));
            var stored = codec.Encode(plain, Aad(contentId, frames.Count), out var flags);
            frames.Add((stored, plain.Length, flags));
        }
        var w = new ByteWriter(envelopeHeader.Length + FixedSize + frames.Count * FrameEntrySize + frames.Sum(f => f.Stored.Length));
        w.Bytes(envelopeHeader);
        w.U8((byte)kind);
        w.Zeros(3);
        w.U32(timeline);
        w.U64(segmentNumber);
        w.U32((uint)segmentSize);
        w.U32((uint)content.Length);
        w.Bytes(contentId.ToArray());
        w.U32((uint)frames.Count);
        w.U32((uint)offset);
        foreach (var frame in frames)
        {
            w.U32((uint)frame.Plain);
            w.U32((uint)frame.Stored.Length);
            w.U8((byte)frame.Flags);
            w.Zeros(3);
        }
        foreach (var frame in frames)
            w.Bytes(frame.Stored);
        return w.WrittenMemory;
    }

    /// <summary>
    /// Verify before publish without decoding into new arrays: the body's header says what was meant and every frame
    /// decodes (into a pooled buffer) to its slice of <paramref name="content"/>. Throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static void Verify(ReadOnlySpan<byte> body, WalKind kind, ReadOnlySpan<byte> content, ChunkId contentId, int offset, StoredChunkCodec codec)
    {
        var r = new ByteReader(body);
        if ((WalKind)r.U8("WalKind") != kind)
            throw new InvalidDataException("the WAL kind differs");
        r.Reserved(3, "WAL reserved");
        r.U32("Timeline");
        r.U64("SegmentNumber");
        r.U32("SegmentSize");
        if (r.U32("ValidLength") != content.Length || new ChunkId(r.Bytes(32, "ContentId")) != contentId)
            throw new InvalidDataException("the valid length or content id differs");
        var frameCount = r.U32("FrameCount");
        if (r.U32("Offset") != offset || (long)frameCount * FrameEntrySize > r.Remaining)
            throw new InvalidDataException("the offset or frame count differs");
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

    private static byte[] Aad(ChunkId contentId, int ordinal)
    {
        var aad = new byte[36];
        contentId.WriteTo(aad);
        BinaryPrimitives.WriteUInt32LittleEndian(aad.AsSpan(32), (uint)ordinal);
        return aad;
    }
}
