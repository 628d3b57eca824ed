using Pgark.Repository.Binary;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;

namespace Pgark.Repository.Index;

/// <summary>
/// One index delta file's content (spec §10.1). Body: 0 PackCount u32 | 4 EntryCount u32 | 8 SupersedesCount u32 |
/// 12 reserved u32 | pack ids (32 each) | superseded index ids (32 each) | entries (52 each, sorted by chunk id):
/// id (32), PackOrdinal u32, Offset u32, StoredLength u32, PlainLength u32, Flags u8, Kind u8, reserved u16.
/// </summary>
public sealed class IndexDelta
{
    public const int EntrySize = 52;
    public const string Directory = "index/";

    public IndexDelta(IReadOnlyList<ChunkId> packs, IReadOnlyList<(int PackOrdinal, PackEntry Entry)> entries, IReadOnlyList<ChunkId> supersedes)
    {
        Packs = packs;
        Entries = entries;
        Supersedes = supersedes;
    }

    public IReadOnlyList<ChunkId> Packs { get; }
    /// <summary>Sorted by chunk id.</summary>
    public IReadOnlyList<(int PackOrdinal, PackEntry Entry)> Entries { get; }
    public IReadOnlyList<ChunkId> Supersedes { get; }

    public static string FileName(ChunkId fileId) => Directory + fileId;

    /// <summary>Builds a delta from finished packs' entries, sorting them as the format requires.</summary>
    public static IndexDelta FromPacks(IEnumerable<(ChunkId PackId, IReadOnlyList<PackEntry> Entries)> packs, IReadOnlyList<ChunkId>? supersedes = null)
    {
        var packIds = new List<ChunkId>();
        var entries = new List<(int, PackEntry)>();
        foreach (var (packId, packEntries) in packs)
        {
            packIds.Add(packId);
            foreach (var entry in packEntries)
                entries.Add((packIds.Count - 1, entry));
        }
        entries.Sort((a, b) => a.Item2.Id.CompareTo(b.Item2.Id));
        return new IndexDelta(packIds, entries, supersedes ?? []);
    }

    public byte[] EncodeBody()
    {
        var writer = new ByteWriter(16 + Packs.Count * 32 + Entries.Count * EntrySize);
        writer.U32((uint)Packs.Count);
        writer.U32((uint)Entries.Count);
        writer.U32((uint)Supersedes.Count);
        writer.U32(0);
        Span<byte> id = stackalloc byte[ChunkId.Size];
        foreach (var pack in Packs)
        {
            pack.WriteTo(id);
            writer.Bytes(id);
        }
        foreach (var superseded in Supersedes)
        {
            superseded.WriteTo(id);
            writer.Bytes(id);
        }
        foreach (var (packOrdinal, entry) in Entries)
        {
            entry.Id.WriteTo(id);
            writer.Bytes(id);
            writer.U32((uint)packOrdinal);
            writer.U32(entry.Offset);
            writer.U32(entry.StoredLength);
            writer.U32(entry.PlainLength);
            writer.U8((byte)entry.Flags);
            writer.U8((byte)entry.Kind);
            writer.U16(0);
        }
        return writer.ToArray();
    }

    public static IndexDelta DecodeBody(ReadOnlySpan<byte> body) => Decode(new IndexDeltaReader(body.ToArray()));

    /// <summary>Decodes the whole delta through the same checks the streaming readers (loader, prune) apply.</summary>
    internal static IndexDelta Decode(IndexDeltaReader reader)
    {
        var packs = new ChunkId[reader.PackCount];
        for (var i = 0; i < packs.Length; i++)
            packs[i] = reader.Pack(i);
        var supersedes = new ChunkId[reader.SupersedesCount];
        for (var i = 0; i < supersedes.Length; i++)
            supersedes[i] = reader.Superseded(i);
        var entries = new (int, PackEntry)[reader.EntryCount];
        for (var i = 0; reader.Next(out var packOrdinal, out var entry); i++)
            entries[i] = (packOrdinal, entry);
        return new IndexDelta(packs, entries, supersedes);
    }
}
