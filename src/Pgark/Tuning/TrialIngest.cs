using System.Collections.Concurrent;
using System.Diagnostics;
using Pgark.Repository.Chunking;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;

namespace Pgark.Tuning;

/// <summary>
/// A full backup of the sample with one candidate's settings, on every core: relation windows cut into extents (page hashes,
/// extent id, dedup, zstd, verify-before-publish in <see cref="PackWriter"/>), other windows cut by FastCDC, packs finished at
/// the target size and kept in memory. Workers take windows in the given order until the budget is spent, so a cut-short
/// trial has measured a spread-out prefix, never one file.
/// </summary>
public static class TrialIngest
{
    public static IngestMeasurement Run(IReadOnlyList<SampleWindow> windows, TrialStore store, TimeSpan budget, int workers,
        CancellationToken cancellationToken = default)
    {
        var seen = new ConcurrentDictionary<ChunkId, byte>();
        var packs = new ConcurrentBag<FinishedPack>();
        var totals = new Totals();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(() =>
        {
            var worker = new Worker(store, seen, packs, totals);
            while (!cancellationToken.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= windows.Count || (i >= workers && clock.Elapsed > budget))
                    break;
                worker.Add(windows[i]);
            }
            worker.Finish();
        }, cancellationToken)).ToArray();
        Task.WaitAll(tasks, cancellationToken);
        var elapsed = clock.Elapsed;
        return new IngestMeasurement(Math.Min(next, windows.Count), totals.RelationBytes, totals.OtherBytes, totals.StoredRelation,
            totals.StoredOther, totals.UniquePlain, totals.StoredChunkBytes, totals.Chunks, elapsed, [.. packs]);
    }

    private sealed class Totals
    {
        public long RelationBytes, OtherBytes, StoredRelation, StoredOther, UniquePlain, StoredChunkBytes, Chunks;
    }

    private sealed class Worker(TrialStore store, ConcurrentDictionary<ChunkId, byte> seen, ConcurrentBag<FinishedPack> packs, Totals totals)
    {
        private readonly FastCdc _cdc = new(store.Settings.Chunking);
        private PackWriter _pack = new(store.Codec, store.Hasher);

        public void Add(SampleWindow window)
        {
            long stored = 0;
            if (window.IsRelation)
            {
                var extentSize = store.Settings.ExtentSize;
                var pageHashes = new ulong[extentSize / FormatConstants.DefaultPageSize];
                for (var at = 0; at < window.Data.Length; at += extentSize)
                {
                    // The id and the page hashes a backup records (spec §7.4), in its one pass, for their cost.
                    var extent = window.Data.AsSpan(at, Math.Min(extentSize, window.Data.Length - at));
                    stored += Store(store.Hasher.ComputeExtent(extent, FormatConstants.DefaultPageSize, pageHashes), extent)
                        + store.TreeBytesPerExtent;
                }
                Interlocked.Add(ref totals.RelationBytes, window.Data.Length);
                Interlocked.Add(ref totals.StoredRelation, stored);
            }
            else
            {
                ReadOnlySpan<byte> rest = window.Data;
                while (!rest.IsEmpty)
                {
                    var cut = _cdc.FindCutPoint(rest, isFinal: true);
                    stored += Store(store.Hasher.Compute(rest[..cut]), rest[..cut]) + TrialStore.TreeBytesPerChunk;
                    rest = rest[cut..];
                }
                Interlocked.Add(ref totals.OtherBytes, window.Data.Length);
                Interlocked.Add(ref totals.StoredOther, stored);
            }
        }

        public void Finish()
        {
            if (_pack.Count > 0)
                packs.Add(_pack.Finish());
        }

        /// <summary>Stores a chunk unless the trial already has it; returns the bytes it added to packs.</summary>
        private long Store(ChunkId id, ReadOnlySpan<byte> chunk)
        {
            if (!seen.TryAdd(id, 0))
                return 0;
            var entry = _pack.Add(id, ChunkKind.Data, chunk);
            Interlocked.Add(ref totals.UniquePlain, chunk.Length);
            Interlocked.Add(ref totals.StoredChunkBytes, entry.StoredLength);
            Interlocked.Increment(ref totals.Chunks);
            if (_pack.Length >= store.Settings.PackTargetSize)
            {
                packs.Add(_pack.Finish());
                _pack = new PackWriter(store.Codec, store.Hasher);
            }
            return entry.StoredLength + TrialStore.PackEntryBytes;
        }
    }
}
