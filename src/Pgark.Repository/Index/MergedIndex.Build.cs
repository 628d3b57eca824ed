using Pgark.Repository.Ids;
using Pgark.Repository.Packs;

namespace Pgark.Repository.Index;

public sealed partial class MergedIndex
{
    /// <summary>
    /// Entries read from the deltas to build this index, duplicates and superseded deltas included: the size of the table a
    /// reload of the same deltas needs up front (<see cref="Builder"/>).
    /// </summary>
    internal long LoadedEntries { get; private init; }

    /// <summary>
    /// Builds the index from deltas streamed one at a time (spec §10.2). Each delta's entries go straight from its body into
    /// 33-byte slots: into one table sized up front when the caller knows how many entries to expect (a reload by prune,
    /// which drops the old index first), so the peak is that table plus one delta's body; otherwise into an array per delta,
    /// copied into the sorted array at the end (twice the resident size at the peak).
    /// </summary>
    internal sealed class Builder(long expectedEntries)
    {
        private readonly List<Part?> _parts = [];
        private Slot[] _table = expectedEntries > 0 ? new Slot[Math.Min(expectedEntries, Array.MaxLength)] : [];
        private int _used;

        /// <summary>A delta's slots: a range of the table or an array of its own; slot pack numbers index <see cref="Packs"/>.</summary>
        private sealed record Part(ChunkId[] Packs, Slot[] Array, int Start, int Length);

        public long Entries { get; private set; }

        /// <summary>Reads every entry of the delta (checked as <see cref="IndexDelta.DecodeBody"/> checks them).</summary>
        public void Add(IndexDeltaReader reader)
        {
            var packs = new ChunkId[reader.PackCount];
            for (var i = 0; i < packs.Length; i++)
                packs[i] = reader.Pack(i);
            var (array, start) = Reserve(reader.EntryCount);
            for (var i = start; reader.Next(out var packOrdinal, out var entry); i++)
                array[i] = ToSlot(entry, packOrdinal);
            _parts.Add(new Part(packs, array, start, reader.EntryCount));
        }

        public void Add(IndexDelta delta)
        {
            var (array, start) = Reserve(delta.Entries.Count);
            for (var i = 0; i < delta.Entries.Count; i++)
                array[start + i] = ToSlot(delta.Entries[i].Entry, delta.Entries[i].PackOrdinal);
            _parts.Add(new Part(delta.Packs.ToArray(), array, start, delta.Entries.Count));
        }

        private (Slot[] Array, int Start) Reserve(int count)
        {
            Entries += count;
            if (_table.Length - _used < count)
                return (new Slot[count], 0);
            _used += count;
            return (_table, _used - count);
        }

        /// <summary>
        /// The index of the parts <paramref name="keep"/> selects (by the order they were added: superseded deltas are left
        /// out). Prefixes met more than once come back in <paramref name="repeated"/>; the caller must run them through a
        /// <see cref="PrefixCollisionCheck"/> over the same deltas before trusting the index.
        /// </summary>
        public MergedIndex Build(Func<int, bool> keep, out List<UInt128>? repeated)
        {
            long total = 0;
            for (var p = 0; p < _parts.Count; p++)
                total += keep(p) ? _parts[p]!.Length : 0;
            if (total > Array.MaxLength)
                throw new InvalidOperationException($"the index deltas list {total} chunks, more than one index holds ({Array.MaxLength})");
            var slots = total <= _table.Length ? _table : new Slot[total];
            var packNumbers = new Dictionary<ChunkId, int>();
            var packs = new List<ChunkId>();
            var n = 0;
            // Table ranges first, in order: each moves down (or stays), so copying forward never overwrites a range not yet
            // read. Parts with arrays of their own follow and are released as they are copied.
            foreach (var inTable in (bool[])[true, false])
            {
                for (var p = 0; p < _parts.Count; p++)
                {
                    if (_parts[p] is not { } part || ReferenceEquals(part.Array, _table) != inTable || !keep(p))
                        continue;
                    _parts[p] = null;
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
                    for (var i = 0; i < part.Length; i++)
                    {
                        var slot = part.Array[part.Start + i];
                        slot.Pack = local[slot.Pack];
                        slots[n++] = slot;
                    }
                }
            }
            _parts.Clear();
            _table = [];
            var sorted = slots.AsSpan(0, n);
            sorted.Sort(static (a, b) => Compare(a, b));
            return new MergedIndex(slots, Deduplicate(sorted, out repeated), packs.ToArray()) { LoadedEntries = Entries };
        }
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
            Add(entry);
    }

    public void Add(IndexDeltaReader reader)
    {
        while (reader.Next(out _, out var entry))
            Add(entry);
    }

    private void Add(in PackEntry entry)
    {
        var prefix = entry.Id.Prefix128;
        if (!_wanted.Contains(prefix))
            return;
        if (_seen.TryGetValue(prefix, out var other) && other != entry.Id)
            throw new RepositoryCorruptionException(CorruptionCause.Unknown, "index/", entry.Id.ToString(),
                $"chunk ids {other} and {entry.Id} share their first 128 bits; the resident index cannot tell them apart");
        _seen[prefix] = entry.Id;
    }
}
