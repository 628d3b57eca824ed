using System.Buffers.Binary;
using System.Security.Cryptography;
using Pgark.Repository.Binary;
using Pgark.Repository.Codecs;
using Pgark.Repository.Crypto;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Packs;

/// <summary>Encodes and parses the pack header and trailer (spec §6.1; offsets in <see cref="PackLayout"/>).</summary>
public static class PackHeaderCodec
{
    /// <summary>Header (sealed if <paramref name="box"/> is given) followed by the trailer.</summary>
    public static byte[] EncodeHeaderAndTrailer(IReadOnlyList<PackEntry> entries, SealedBox? box)
    {
        var plainLength = PackLayout.HeaderPreambleSize + entries.Count * PackLayout.EntrySize + PackLayout.HeaderChecksumSize;
        var plain = new byte[plainLength];
        BinaryPrimitives.WriteUInt32LittleEndian(plain, (uint)entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var slot = plain.AsSpan(PackLayout.HeaderPreambleSize + i * PackLayout.EntrySize, PackLayout.EntrySize);
            e.Id.WriteTo(slot);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[PackLayout.EntryOffsetOffset..], e.Offset);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[PackLayout.EntryStoredLengthOffset..], e.StoredLength);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[PackLayout.EntryPlainLengthOffset..], e.PlainLength);
            slot[PackLayout.EntryFlagsOffset] = (byte)e.Flags;
            slot[PackLayout.EntryKindOffset] = (byte)e.Kind;
        }
        Blake3.Hash(plain.AsSpan(0, plainLength - PackLayout.HeaderChecksumSize), plain.AsSpan(plainLength - PackLayout.HeaderChecksumSize));
        var header = box is null ? plain : box.Seal(plain, FormatConstants.PackHeaderAad);

        var result = new byte[header.Length + PackLayout.TrailerSize];
        header.CopyTo(result, 0);
        var trailer = result.AsSpan(header.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, (uint)header.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(trailer[PackLayout.TrailerVersionOffset..], FormatConstants.PackVersion);
        FormatConstants.PackMagic.CopyTo(trailer[PackLayout.TrailerMagicOffset..]);
        return result;
    }

    /// <summary>Reads the header length from the trailer (the last 16 bytes of the pack).</summary>
    public static int ParseTrailer(ReadOnlySpan<byte> trailer, long packLength)
    {
        if (trailer.Length != PackLayout.TrailerSize || !trailer[PackLayout.TrailerMagicOffset..].SequenceEqual(FormatConstants.PackMagic))
            throw new InvalidDataException("pack trailer magic 'PGARKPAK' not found");
        var version = BinaryPrimitives.ReadUInt16LittleEndian(trailer[PackLayout.TrailerVersionOffset..]);
        if (version != FormatConstants.PackVersion)
            throw new InvalidDataException($"pack version {version} is not {FormatConstants.PackVersion}");
        if (trailer[6] != 0 || trailer[7] != 0)
            throw new InvalidDataException("reserved trailer bytes are not zero");
        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        if (headerLength > packLength - PackLayout.TrailerSize || headerLength < PackLayout.HeaderPreambleSize + PackLayout.HeaderChecksumSize)
            throw new InvalidDataException($"header length {headerLength} does not fit a pack of {packLength} bytes");
        return (int)headerLength;
    }

    /// <summary>Parses the (possibly sealed) header that ends at <paramref name="headerOffset"/> + its length and checks every invariant.</summary>
    public static PackEntry[] ParseHeader(ReadOnlySpan<byte> header, long headerOffset, SealedBox? box)
    {
        byte[] plain;
        if (box is not null)
        {
            try
            {
                plain = box.Open(header, FormatConstants.PackHeaderAad);
            }
            catch (CryptographicException e)
            {
                throw new InvalidDataException("pack header does not authenticate", e);
            }
        }
        else
        {
            plain = header.ToArray();
        }
        Span<byte> checksum = stackalloc byte[32];
        Blake3.Hash(plain.AsSpan(0, plain.Length - PackLayout.HeaderChecksumSize), checksum);
        if (!checksum.SequenceEqual(plain.AsSpan(plain.Length - PackLayout.HeaderChecksumSize)))
            throw new InvalidDataException("pack header checksum does not match");

        var reader = new ByteReader(plain.AsSpan(0, plain.Length - PackLayout.HeaderChecksumSize));
        var count = reader.U32("EntryCount");
        reader.Reserved(4, "header bytes 4..7");
        if (count == 0 || count != (uint)(reader.Remaining / PackLayout.EntrySize) || reader.Remaining % PackLayout.EntrySize != 0)
            throw new InvalidDataException($"EntryCount {count} does not match a header of {plain.Length} bytes");
        var entries = new PackEntry[count];
        long expectedOffset = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            var id = new ChunkId(reader.Bytes(ChunkId.Size, "ChunkId"));
            var offset = reader.U32("Offset");
            var stored = reader.U32("StoredLength");
            var plainLength = reader.U32("PlainLength");
            var flags = (ChunkFlags)reader.U8("Flags");
            var kind = (ChunkKind)reader.U8("Kind");
            reader.Reserved(2, "entry reserved");
            if (offset != expectedOffset)
                throw new InvalidDataException($"entry {i} ({id.ToShortString()}) starts at {offset}, expected {expectedOffset}");
            if ((flags & ~ChunkFlags.Compressed) != 0 || kind is < ChunkKind.Data or > ChunkKind.PageDelta)
                throw new InvalidDataException($"entry {i} ({id.ToShortString()}) has unknown flags 0x{(byte)flags:x2} or kind {(byte)kind}");
            if (plainLength > FormatConstants.MaxChunkSize)
                throw new InvalidDataException($"entry {i} ({id.ToShortString()}) plain length {plainLength} exceeds the limit");
            expectedOffset += stored;
            entries[i] = new PackEntry(id, offset, stored, plainLength, flags, kind);
        }
        if (expectedOffset != headerOffset)
            throw new InvalidDataException($"chunks end at {expectedOffset} but the header starts at {headerOffset}");
        return entries;
    }

    /// <summary>Parses a whole pack file's header.</summary>
    public static PackEntry[] ParsePack(ReadOnlySpan<byte> pack, SealedBox? box)
    {
        if (pack.Length < PackLayout.TrailerSize)
            throw new InvalidDataException($"pack of {pack.Length} bytes is shorter than its trailer");
        var headerLength = ParseTrailer(pack[^PackLayout.TrailerSize..], pack.Length);
        var headerOffset = pack.Length - PackLayout.TrailerSize - headerLength;
        return ParseHeader(pack.Slice(headerOffset, headerLength), headerOffset, box);
    }
}
