using System.Collections.Concurrent;
using System.Diagnostics;
using Pgark.Repository.Chunking;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Snapshots;

namespace Pgark.Tuning;

/// <summary>
/// A repeat backup of the sample against an earlier backup, without its data (spec/tune.md §4), as
/// <c>BackupSession.AddExtentAsync</c> decides: an extent whose page hashes all equal the earlier backup's costs nothing;
/// with at most half its pages changed it becomes a PageDelta of the changed pages; otherwise, or in a file the earlier
/// backup lacked, the whole extent is stored. Stream chunks cost nothing when the repository already has their id. Each
/// changed run of tree records rewrites one tree chunk (spec §7.2). It measures the steady state at the candidate's extent
/// size: the first backup after changing the extent size stores relation files whole.
/// </summary>
public static class TrialRepeat
{
    public static RepeatMeasurement Run(IReadOnlyList<SampleWindow> windows, TrialStore store, Func<ChunkId, bool> repositoryHas,
        TimeSpan budget, int workers, CancellationToken cancellationToken = default)
    {
        var totals = new long[6]; // relation bytes, other bytes, stored relation, stored other, changed pages, pages
        var treeSpans = new ConcurrentDictionary<(string, long), byte>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(() =>
        {
            var cdc = new FastCdc(store.Settings.Chunking);
            while (!cancellationToken.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= windows.Count || (i >= workers && clock.Elapsed > budget))
                    break;
                var window = windows[i];
                if (window.IsRelation)
                    AddRelation(window, store, treeSpans, totals);
                else
                    AddOther(window, store, cdc, repositoryHas, totals);
            }
        }, cancellationToken)).ToArray();
        Task.WaitAll(tasks, cancellationToken);
        var treeBytes = treeSpans.Count * TreeChunkBytes(store);
        return new RepeatMeasurement(Math.Min(next, windows.Count), totals[0], totals[1], totals[2] + treeBytes, totals[3], totals[4], totals[5],
            clock.Elapsed);
    }

    /// <summary>Expected tree chunk size: records until 4 KiB, then each record ends the chunk with probability 1/4 (spec §7.2).</summary>
    public static long TreeChunkBytes(TrialStore store)
    {
        long record = 5 + 8 + FormatConstants.MaxExtentsPerRecord * (long)store.TreeBytesPerExtent;
        return (Math.Max(0, (FormatConstants.TreeCutMinimum + record - 1) / record - 1) + 4) * record;
    }

    private static void AddRelation(SampleWindow window, TrialStore store, ConcurrentDictionary<(string, long), byte> treeSpans, long[] totals)
    {
        const int pageSize = FormatConstants.DefaultPageSize;
        var extentSize = store.Settings.ExtentSize;
        var spanBytes = TreeChunkBytes(store) / (5 + 8 + FormatConstants.MaxExtentsPerRecord * (long)store.TreeBytesPerExtent)
            * FormatConstants.MaxExtentsPerRecord * extentSize;
        long stored = 0, changedPages = 0, pages = 0;
        var pageHashes = new ulong[extentSize / pageSize];
        for (var at = 0; at < window.Data.Length; at += extentSize)
        {
            var extent = window.Data.AsSpan(at, Math.Min(extentSize, window.Data.Length - at));
            var count = PageDelta.PageCount(extent.Length, pageSize);
            // The id and page hashes the backup computes for every extent, for their cost; which pages changed was settled
            // against the earlier backup's hashes when the sample was taken (ParentPages).
            store.Hasher.ComputeExtent(extent, pageSize, pageHashes);
            var changed = new bool[count];
            var changedCount = 0;
            for (var p = 0; p < count; p++)
            {
                changed[p] = window.ChangedPages is not { } c || c[at / pageSize + p];
                changedCount += changed[p] ? 1 : 0;
            }
            pages += count;
            changedPages += changedCount;
            if (changedCount == 0)
                continue;
            treeSpans.TryAdd((window.Path, (window.Offset + at) / spanBytes), 0);
            stored += TrialStore.PackEntryBytes + (window.ChangedPages is not null && changedCount * 2 <= count
                ? Encode(store, PageDelta.Encode(default, 1, extent, pageSize, changed))
                : EncodeWhole(store, extent));
        }
        Interlocked.Add(ref totals[0], window.Data.Length);
        Interlocked.Add(ref totals[2], stored);
        Interlocked.Add(ref totals[4], changedPages);
        Interlocked.Add(ref totals[5], pages);
    }

    private static void AddOther(SampleWindow window, TrialStore store, FastCdc cdc, Func<ChunkId, bool> repositoryHas, long[] totals)
    {
        long stored = 0;
        ReadOnlySpan<byte> rest = window.Data;
        while (!rest.IsEmpty)
        {
            var cut = cdc.FindCutPoint(rest, isFinal: true);
            if (!repositoryHas(store.Hasher.Compute(rest[..cut])))
                stored += TrialStore.PackEntryBytes + TrialStore.TreeBytesPerChunk + Encode(store, rest[..cut]);
            rest = rest[cut..];
        }
        Interlocked.Add(ref totals[1], window.Data.Length);
        Interlocked.Add(ref totals[3], stored);
    }

    private static long EncodeWhole(TrialStore store, ReadOnlySpan<byte> extent)
    {
        store.Hasher.Compute(extent); // the id a new Data extent needs
        return Encode(store, extent);
    }

    private static long Encode(TrialStore store, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> aad = stackalloc byte[ChunkId.Size];
        return store.Codec.Encode(plaintext, aad, out _).Length;
    }
}
