using System.Diagnostics;
using Pgark.Repository.Packs;

namespace Pgark.Tuning;

/// <summary>Reads a trial's packs back on every core as a restore does: parse the pack, decode (open, decompress) and re-hash each chunk.</summary>
public static class TrialRestore
{
    public static RestoreMeasurement Run(IReadOnlyList<FinishedPack> packs, TrialStore store, TimeSpan budget, int workers,
        CancellationToken cancellationToken = default)
    {
        long plain = 0, chunks = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(() =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= packs.Count || (i >= workers && clock.Elapsed > budget))
                    break;
                var bytes = packs[i].Bytes;
                foreach (var entry in PackHeaderCodec.ParsePack(bytes, store.Box))
                {
                    var content = store.Codec.DecodeVerified(bytes.AsSpan((int)entry.Offset, (int)entry.StoredLength), entry, store.Hasher);
                    Interlocked.Add(ref plain, content.Length);
                    Interlocked.Increment(ref chunks);
                }
            }
        }, cancellationToken)).ToArray();
        Task.WaitAll(tasks, cancellationToken);
        return new RestoreMeasurement(plain, chunks, clock.Elapsed);
    }
}
