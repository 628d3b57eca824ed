using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository.Ingest;

/// <summary>
/// What one extent of a paged file costs (spec §7.1): nothing if it equals the parent's extent page by page, nothing new
/// if its bytes are already a chunk, a PageDelta of the changed pages against the parent when the chain is short and at
/// most half the pages changed, else the whole extent. Pure apart from <c>has</c>, so ingest workers decide
/// in parallel; the session still checks again before it appends, since a worker's answer may be a moment old.
/// </summary>
internal readonly record struct ExtentPlan(ExtentRef Result, bool Unchanged, ChunkId StoreId, ChunkKind StoreKind, byte[]? Delta)
{
    public static ExtentPlan Make(ReadOnlySpan<byte> extent, int pageSize, int pagesPerExtent, ExtentRef? parent, ChunkHasher hasher,
        Func<ChunkId, bool> has)
    {
        var pages = PageDelta.PageCount(extent.Length, pageSize);
        if (pages > pagesPerExtent || extent.Length == 0)
            throw new ArgumentException($"extent of {extent.Length} bytes does not fit {pagesPerExtent} pages of {pageSize}", nameof(extent));
        var hashes = new ulong[pagesPerExtent];
        var fullId = hasher.ComputeExtent(extent, pageSize, hashes);
        // A parent from an earlier version hashed its pages differently: nothing compares, so this extent is stored whole
        // (or found by its id) once, and the next backup compares again.
        var comparable = parent is not null && parent.PageHashKind == PageHashKind.Subtree && parent.PageHashes.Length == pagesPerExtent;
        Span<bool> changed = pages <= 1024 ? stackalloc bool[pages] : new bool[pages];
        var changedCount = 0;
        for (var p = 0; p < pages; p++)
        {
            changed[p] = !comparable || parent!.PageHashes[p] != hashes[p];
            changedCount += changed[p] ? 1 : 0;
        }
        if (comparable && changedCount == 0 && hashes.AsSpan().SequenceEqual(parent!.PageHashes))
            return new ExtentPlan(parent, Unchanged: true, parent.ObjectId, ChunkKind.Data, null);
        if (parent is null || parent.DeltaDepth >= FormatConstants.MaxWriterDeltaDepth || changedCount * 2 > pages || has(fullId))
            return new ExtentPlan(new ExtentRef(fullId, 0, hashes), Unchanged: false, fullId, ChunkKind.Data, null);
        var delta = PageDelta.Encode(parent.ObjectId, parent.DeltaDepth + 1, extent, pageSize, changed);
        var deltaId = hasher.Compute(delta);
        return new ExtentPlan(new ExtentRef(deltaId, parent.DeltaDepth + 1, hashes), Unchanged: false, deltaId, ChunkKind.PageDelta, delta);
    }
}
