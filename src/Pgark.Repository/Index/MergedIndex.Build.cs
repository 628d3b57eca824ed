using Pgark.Repository.Ids;

namespace Pgark.Repository.Index;

/// <summary>One index delta in the form the merged index is built from: 33-byte slots whose pack numbers index <see cref="Packs"/>.</summary>
internal sealed record CompactDelta(ChunkId[] Packs, MergedIndex.Slot[] Slots);

public sealed partial class MergedIndex
{
    /// <summary>
    /// A decoded delta as slots: 33 bytes per entry instead of the 56 of a decoded (pack ordinal, entry) pair, so a loader
    /// can drop each decoded delta as soon as it is read (spec §10.2, transient peak).
    /// </summary>
    internal static CompactDelta Compact(IndexDelta delta)
    {
        var slots = new Slot[delta.Entries.Count];
        for (var i = 0; i < slots.Length; i++)
            slots[i] = ToSlot(delta.Entries[i].Entry, delta.Entries[i].PackOrdinal);
        return new CompactDelta(delta.Packs.ToArray(), slots);
    }

    /// <summary>
    /// Merges compacted deltas (superseded ones already left out). Each part is released (set to null in
    /// <paramref name="parts"/>) once copied, so the peak is the parts plus the result: twice the resident size. Prefixes met
    /// more than once come back in <paramref name="repeated"/>; the caller must run them through a
    /// <see cref="PrefixCollisionCheck"/> over the same deltas before trusting the index.
    /// </summary>
    internal static MergedIndex Build(List<CompactDelta?> parts, out List<UInt128>? repeated)
    {
        var packNumbers = new Dictionary<ChunkId, int>();
        var packs = new List<ChunkId>();
        var slots = new Slot[parts.Sum(p => (long)p!.Slots.Length)];
        var n = 0;
        for (var p = 0; p < parts.Count; p++)
        {
            var part = parts[p]!;
            parts[p] = null;
            var local = new int[part.Packs.Length];
            for (var i = 0; i < local.Length; i++)
            {
                if (!packNumbers.TryGetValue(part.Packs[i], out local[i]))
                {
                    local[i] = packs.Count;
                    packNumbers.Add(part.Packs[i], packs.Count);
                    packs.Add(part.Packs[i]);
                }
            }
            foreach (var slot in part.Slots)
            {
                slots[n] = slot;
                slots[n++].Pack = local[slot.Pack];
            }
        }
        slots.AsSpan().Sort(static (a, b) => Compare(a, b));
        return new MergedIndex(Deduplicate(slots, out repeated), packs.ToArray());
    }
}

/// <summary>
/// Refuses two different full chunk ids that share their first 128 bits (the resident index cannot tell them apart), fed
/// one delta at a time so a loader need not keep the decoded deltas. Only the repeated prefixes are tracked.
/// </summary>
internal sealed class PrefixCollisionCheck(List<UInt128> repeated)
{
    private readonly HashSet<UInt128> _wanted = repeated.ToHashSet();
    private readonly Dictionary<UInt128, ChunkId> _seen = [];

    public void Add(IndexDelta delta)
    {
        foreach (var (_, entry) in delta.Entries)
        {
            var prefix = entry.Id.Prefix128;
            if (!_wanted.Contains(prefix))
                continue;
            if (_seen.TryGetValue(prefix, out var other) && other != entry.Id)
                throw new RepositoryCorruptionException(CorruptionCause.Unknown, "index/", entry.Id.ToString(),
                    $"chunk ids {other} and {entry.Id} share their first 128 bits; the resident index cannot tell them apart");
            _seen[prefix] = entry.Id;
        }
    }
}
