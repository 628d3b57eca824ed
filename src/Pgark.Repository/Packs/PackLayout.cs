using Pgark.Repository.Ids;

namespace Pgark.Repository.Packs;

/// <summary>
/// Byte layout of a pack (spec §6.1). Stored chunks from offset 0, then the header, then a 16-byte trailer:
/// <code>
/// trailer: 0 HeaderLength u32 | 4 PackVersion u16 | 6 reserved u16 | 8 Magic "PGARKPAK"
/// header:  0 EntryCount u32 | 4 reserved u32 | 8 entries (48 each) | HeaderChecksum (32, BLAKE3 of what precedes it)
/// entry:   0 ChunkId (32) | 32 Offset u32 | 36 StoredLength u32 | 40 PlainLength u32 | 44 Flags u8 | 45 Kind u8 | 46 reserved u16
/// </code>
/// </summary>
public static class PackLayout
{
    public const int TrailerSize = 16;
    public const int TrailerHeaderLengthOffset = 0;
    public const int TrailerVersionOffset = 4;
    public const int TrailerMagicOffset = 8;

    public const int HeaderPreambleSize = 8;
    public const int HeaderChecksumSize = 32;

    public const int EntrySize = 48;
    public const int EntryIdOffset = 0;
    public const int EntryOffsetOffset = 32;
    public const int EntryStoredLengthOffset = 36;
    public const int EntryPlainLengthOffset = 40;
    public const int EntryFlagsOffset = 44;
    public const int EntryKindOffset = 45;

    public const string Directory = "packs/";

    public static string FileName(ChunkId packId)
    {
        var hex = packId.ToString();
        return $"packs/{hex[..2]}/{hex}";
    }
}
