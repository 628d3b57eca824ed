using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Packs;

/// <summary>One pack header entry / index entry (spec §6.1, §10.1): where a chunk's stored bytes sit.</summary>
public readonly record struct PackEntry(ChunkId Id, uint Offset, uint StoredLength, uint PlainLength, ChunkFlags Flags, ChunkKind Kind);

/// <summary>A chunk's pack (file id) and entry.</summary>
public readonly record struct ChunkLocation(ChunkId Pack, PackEntry Entry)
{
    public string PackFileName => PackLayout.FileName(Pack);
}
