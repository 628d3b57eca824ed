using Pgark.Repository.Config;
using Pgark.Repository.Crypto;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;

namespace Pgark.Tuning;

/// <summary>
/// What a trial writes with: the candidate's settings and the target repository's chunk id function and seal (an encrypted
/// repository's sealing costs time and 40 bytes per chunk, so the trial pays them too).
/// </summary>
public sealed class TrialStore(StorageSettings settings, ChunkHasher hasher, SealedBox? box)
{
    public StorageSettings Settings { get; } = settings;
    public ChunkHasher Hasher { get; } = hasher;
    public StoredChunkCodec Codec { get; } = new(settings.CompressionLevel, box);
    internal SealedBox? Box { get; } = box;

    /// <summary>Bytes a pack adds besides its entries: header count and checksum, trailer, and the seal of the header.</summary>
    public long PackOverhead => PackLayout.HeaderPreambleSize + PackLayout.HeaderChecksumSize + PackLayout.TrailerSize
        + (Box is null ? 0 : SealedBox.Overhead);

    /// <summary>Bytes of tree per extent (spec §7.3): object id, depth, reserved, one 8-byte page hash per page.</summary>
    public int TreeBytesPerExtent => 36 + 8 * Settings.PagesPerExtent;

    /// <summary>Bytes of tree per stream chunk: id and plain length.</summary>
    public const int TreeBytesPerChunk = 36;

    /// <summary>Bytes of pack header per chunk (spec §6.1).</summary>
    public const int PackEntryBytes = PackLayout.EntrySize;
}
