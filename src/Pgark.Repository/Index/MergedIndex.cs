using System.Runtime.InteropServices;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;

namespace Pgark.Repository.Index;

/// <summary>
/// The resident, read-only union of index deltas (spec §10.2): one array of 33-byte entries sorted by the first 128 bits of
/// the chunk id, a pack table and a 2^16-bucket directory. 33 bytes per chunk + 32 per pack + 256 KiB in total.
/// Lookups compare 128 bits; every read of a chunk re-hashes it against the full id, so a prefix collision is never served
/// silently, and two different full ids sharing a prefix are refused while building.
/// </summary>
public sealed partial class MergedIndex
{
    private const int BucketBits = 16;

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    internal struct Slot
    {
        public ulong PrefixHigh;
        public ulong PrefixLow;
        public int Pack;
        public uint Offset;
        public uint StoredLength;
        public uint PlainLength;
        public byte FlagsAndKind;
    }

    private readonly Slot[] _slots;
    private readonly int _count;
    private readonly ChunkId[] _packs;
    private readonly int[] _buckets;

    /// <summary>
    /// The first <paramref name="count"/> slots are the index (sorted, unique): a loader that sized the array up front keeps
    /// it even when duplicates or superseded deltas leave a tail unused, rather than copy it to an exact length (a second
    /// index at the peak).
    /// </summary>
    private MergedIndex(Slot[] slots, int count, ChunkId[] packs)
    {
        _slots = slots;
        _count = count;
        _packs = packs;
        _buckets = new int[(1 << BucketBits) + 1];
        var slot = 0;
        for (var bucket = 0; bucket <= 1 << BucketBits; bucket++)
        {
            while (slot < count && (int)(slots[slot].PrefixHigh >> (64 - BucketBits)) < bucket)
                slot++;
            _buckets[bucket] = slot;
        }
    }

    public static MergedIndex Empty { get; } = new([], 0, []);

    public int Count => _count;
    public IReadOnlyList<ChunkId> Packs => _packs;

    /// <summary>Resident bytes of the structure (what the ≤ 40 bytes per chunk budget counts).</summary>
    public long ResidentBytes => (long)_slots.Length * Marshal.SizeOf<Slot>() + (long)_packs.Length * ChunkId.Size + (long)_buckets.Length * sizeof(int);

    internal static int SlotSize => Marshal.SizeOf<Slot>();

    /// <summary>Merges deltas. Peak memory is the deltas already decoded plus this array; superseded deltas must be filtered by the caller.</summary>
    public static MergedIndex Build(IReadOnlyList<IndexDelta> deltas)
    {
        var builder = new Builder(0);
        foreach (var delta in deltas)
            builder.Add(delta);
        var index = builder.Build(_ => true, out var repeated);
        if (repeated is not null)
        {
            var check = new PrefixCollisionCheck(repeated);
            foreach (var delta in deltas)
                check.Add(delta);
        }
        return index;
    }

    /// <summary>Builds from a list of (pack, entry) pairs; used by tests and benchmarks.</summary>
    public static MergedIndex Build(IEnumerable<ChunkLocation> locations)
        => Build([IndexDelta.FromPacks(locations.GroupBy(l => l.Pack).Select(g => (g.Key, (IReadOnlyList<PackEntry>)g.Select(l => l.Entry).ToList())))]);

    /// <summary>
    /// This index plus one delta, by a linear merge into a new array (the old one stays valid for concurrent readers). A
    /// backup session uses it to keep the chunks it already published findable without remembering them in a hash set:
    /// 33 bytes per chunk, the same as the resident index those chunks join at the next open. A prefix already present
    /// keeps its existing entry (the same chunk stored twice).
    /// </summary>
    public MergedIndex Merge(IndexDelta delta)
    {
        var packs = new ChunkId[_packs.Length + delta.Packs.Count];
        _packs.CopyTo(packs, 0);
        for (var i = 0; i < delta.Packs.Count; i++)
            packs[_packs.Length + i] = delta.Packs[i];
        var added = new Slot[delta.Entries.Count];
        for (var i = 0; i < added.Length; i++)
            added[i] = ToSlot(delta.Entries[i].Entry, _packs.Length + delta.Entries[i].PackOrdinal);
        added.AsSpan().Sort(static (a, b) => Compare(a, b));
        var merged = new Slot[_count + added.Length];
        int mine = 0, theirs = 0, write = 0;
        while (mine < _count || theirs < added.Length)
        {
            var takeMine = theirs == added.Length || (mine < _count && Compare(_slots[mine], added[theirs]) <= 0);
            ref readonly var next = ref takeMine ? ref _slots[mine++] : ref added[theirs++];
            if (write > 0 && Compare(merged[write - 1], next) == 0)
                continue;
            merged[write++] = next;
        }
        return new MergedIndex(merged, write, packs) { LoadedEntries = LoadedEntries + delta.Entries.Count };
    }

    public bool Contains(ChunkId id) => Find(id) >= 0;

    /// <summary>Position of the chunk in the sorted array, or -1: lets prune mark reachability in a bitmap (1 bit per chunk).</summary>
    public int OrdinalOf(ChunkId id) => Find(id);

    /// <summary>Pack and stored length of the chunk at <paramref name="ordinal"/>.</summary>
    public (ChunkId Pack, uint StoredLength) PackAt(int ordinal) => (_packs[_slots[ordinal].Pack], _slots[ordinal].StoredLength);

    public bool TryGet(ChunkId id, out ChunkLocation location)
    {
        var index = Find(id);
        if (index < 0)
        {
            location = default;
            return false;
        }
        ref readonly var slot = ref _slots[index];
        location = new ChunkLocation(_packs[slot.Pack],
            new PackEntry(id, slot.Offset, slot.StoredLength, slot.PlainLength, (ChunkFlags)(slot.FlagsAndKind & 0x0F), (ChunkKind)(slot.FlagsAndKind >> 4)));
        return true;
    }

    /// <summary>The 128-bit prefixes with their locations in sorted order (check, prune and stats walk this).</summary>
    public IEnumerable<(UInt128 Prefix, ChunkId Pack, uint StoredLength, uint PlainLength, ChunkKind Kind)> Enumerate()
    {
        for (var i = 0; i < _count; i++)
        {
            var slot = _slots[i];
            yield return (new UInt128(slot.PrefixHigh, slot.PrefixLow), _packs[slot.Pack], slot.StoredLength, slot.PlainLength, (ChunkKind)(slot.FlagsAndKind >> 4));
        }
    }

    private int Find(ChunkId id)
    {
        var prefix = id.Prefix128;
        var high = (ulong)(prefix >> 64);
        var low = (ulong)prefix;
        var bucket = (int)(high >> (64 - BucketBits));
        int lo = _buckets[bucket], hi = _buckets[bucket + 1] - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            ref readonly var slot = ref _slots[mid];
            var c = slot.PrefixHigh != high ? slot.PrefixHigh.CompareTo(high) : slot.PrefixLow.CompareTo(low);
            if (c == 0)
                return mid;
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return -1;
    }

    private static Slot ToSlot(in PackEntry entry, int pack)
    {
        var prefix = entry.Id.Prefix128;
        return new Slot
        {
            PrefixHigh = (ulong)(prefix >> 64),
            PrefixLow = (ulong)prefix,
            Pack = pack,
            Offset = entry.Offset,
            StoredLength = entry.StoredLength,
            PlainLength = entry.PlainLength,
            FlagsAndKind = (byte)((byte)entry.Flags | ((byte)entry.Kind << 4)),
        };
    }

    private static int Compare(in Slot a, in Slot b)
        => a.PrefixHigh != b.PrefixHigh ? a.PrefixHigh.CompareTo(b.PrefixHigh) : a.PrefixLow.CompareTo(b.PrefixLow);

    /// <summary>
    /// Drops repeated prefixes in place (the same chunk stored twice is normal after a crash), returning the count kept, and
    /// hands them back in <paramref name="repeated"/>: a repeated
    /// prefix with a different full id would be a 128-bit collision, which the caller checks against the deltas' full ids
    /// (<see cref="PrefixCollisionCheck"/>).
    /// </summary>
    private static int Deduplicate(Span<Slot> slots, out List<UInt128>? repeated)
    {
        repeated = null;
        if (slots.Length < 2)
            return slots.Length;
        var write = 1;
        for (var read = 1; read < slots.Length; read++)
        {
            if (Compare(slots[read], slots[write - 1]) == 0)
            {
                (repeated ??= []).Add(new UInt128(slots[read].PrefixHigh, slots[read].PrefixLow));
                continue;
            }
            slots[write++] = slots[read];
        }
        return write;
    }
}
