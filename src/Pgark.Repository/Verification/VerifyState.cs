using Pgark.Repository.Binary;
using Pgark.Repository.Ids;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository.Verification;

/// <summary>
/// What earlier <c>pgark verify</c> runs read and found intact (spec §17), so a daily verify only reads what is new. Every
/// listed file is immutable and named by its content hash, so "verified once" stays true until the bytes rot at rest, which
/// <c>--full</c> (or check --read-data) looks for.
/// Body: VerifiedAt i64 µs | SampleCursor u64 | PackCount u32 | WalCount u32 | SnapshotCount u32 | reserved u32 |
/// pack file ids (32 each) | WAL object file ids (32 each) | snapshot ids (32 each), each list sorted ascending.
/// </summary>
public sealed record VerifyState(DateTimeOffset VerifiedAt, ulong SampleCursor, IReadOnlySet<ChunkId> Packs, IReadOnlySet<ChunkId> WalObjects,
    IReadOnlySet<ChunkId> ManifestSnapshots)
{
    public const string Directory = "verify/";
    private const int MaxEntries = 1 << 26;

    public static VerifyState Empty { get; } = new(DateTimeOffset.UnixEpoch, 0, new HashSet<ChunkId>(), new HashSet<ChunkId>(), new HashSet<ChunkId>());

    public byte[] EncodeBody()
    {
        var w = new ByteWriter(32 + 32 * (Packs.Count + WalObjects.Count + ManifestSnapshots.Count));
        w.I64(TreeRecordCodec.ToMicroseconds(VerifiedAt));
        w.U64(SampleCursor);
        w.U32((uint)Packs.Count);
        w.U32((uint)WalObjects.Count);
        w.U32((uint)ManifestSnapshots.Count);
        w.U32(0);
        Span<byte> id = stackalloc byte[ChunkId.Size];
        foreach (var set in new[] { Packs, WalObjects, ManifestSnapshots })
        {
            foreach (var entry in set.Order())
            {
                entry.WriteTo(id);
                w.Bytes(id);
            }
        }
        return w.ToArray();
    }

    public static VerifyState DecodeBody(ReadOnlySpan<byte> body)
    {
        var r = new ByteReader(body);
        var at = TreeRecordCodec.FromMicroseconds(r.I64("VerifiedAt"));
        var cursor = r.U64("SampleCursor");
        var counts = new[] { r.U32("PackCount"), r.U32("WalCount"), r.U32("SnapshotCount") };
        r.Reserved(4, "verify state reserved");
        if (counts.Any(c => c > MaxEntries) || (long)(counts[0] + counts[1] + counts[2]) * ChunkId.Size != r.Remaining)
            throw new InvalidDataException($"verify state counts ({string.Join(", ", counts)}) do not match its {r.Remaining} bytes of ids");
        var sets = new HashSet<ChunkId>[3];
        for (var s = 0; s < 3; s++)
        {
            sets[s] = new HashSet<ChunkId>((int)counts[s]);
            for (var i = 0; i < counts[s]; i++)
                sets[s].Add(new ChunkId(r.Bytes(ChunkId.Size, "id")));
        }
        r.ExpectEnd("verify state");
        return new VerifyState(at, cursor, sets[0], sets[1], sets[2]);
    }

    /// <summary>The union of several states (a crash between writing a new one and deleting the old leaves two).</summary>
    public static VerifyState Merge(IEnumerable<VerifyState> states)
    {
        var all = states.ToList();
        if (all.Count == 0)
            return Empty;
        var newest = all.MaxBy(s => s.VerifiedAt)!;
        return new VerifyState(newest.VerifiedAt, newest.SampleCursor, all.SelectMany(s => s.Packs).ToHashSet(),
            all.SelectMany(s => s.WalObjects).ToHashSet(), all.SelectMany(s => s.ManifestSnapshots).ToHashSet());
    }
}
