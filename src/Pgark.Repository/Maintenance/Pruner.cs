using System.Collections;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;

namespace Pgark.Repository.Maintenance;

/// <summary>What prune did.</summary>
public sealed record PruneResult(long ReachableChunks, long UnreachableChunks, int PacksDeleted, int PacksRepacked, int PacksWritten,
    int IndexDeltasReplaced, long BytesFreed);

/// <summary>
/// Removes chunks no snapshot reaches (spec §14), under an exclusive lock, in the safe order: new packs for the still-used
/// chunks of mostly-garbage packs, new index deltas that supersede every old one, then delete the old deltas, then the old
/// packs. Reachability is a bitmap over the merged index (1 bit per chunk), and the new deltas are streamed in batches, so
/// prune needs the resident index plus a bounded batch, not a second index; the reloads at its start and end drop the
/// old index before reading the new one (it holds the exclusive lock), so two indexes are never resident at once.
/// </summary>
internal sealed class Pruner
{
    private readonly Repository _repository;
    private readonly BitArray _reachable;
    private readonly IProgress<PruneProgress>? _progress;
    private long _rewrittenEntries;

    public Pruner(Repository repository, IProgress<PruneProgress>? progress = null)
    {
        _repository = repository;
        _reachable = new BitArray(repository.Index.Count);
        _progress = progress;
    }

    private void Report(PruneStep step, long done, long total) => _progress?.Report(new PruneProgress(step, done, total));

    public async Task<PruneResult> RunAsync(double repackUnusedFraction, CancellationToken cancellationToken)
    {
        await MarkAsync(cancellationToken).ConfigureAwait(false);
        var (usedBytes, unusedBytes, unused) = Tally();
        var existingPacks = new HashSet<ChunkId>();
        await foreach (var info in _repository.Store.ListAsync(PackLayout.Directory, cancellationToken).ConfigureAwait(false))
            existingPacks.Add(Repository.FileIdOf(info.Name));

        var drop = new HashSet<ChunkId>();
        var repack = new HashSet<ChunkId>();
        foreach (var pack in _repository.Index.Packs)
        {
            var used = usedBytes.GetValueOrDefault(pack);
            var free = unusedBytes.GetValueOrDefault(pack);
            if (used == 0)
                drop.Add(pack);
            else if (free > 0 && free >= repackUnusedFraction * (used + free))
                repack.Add(pack);
        }
        // A set of the index's packs: Contains on the pack list would make this quadratic in the number of packs.
        var indexedPacks = _repository.Index.Packs.ToHashSet();
        var orphans = existingPacks.Where(p => !indexedPacks.Contains(p)).ToList();
        if (drop.Count == 0 && repack.Count == 0 && orphans.Count == 0)
            return new PruneResult(_reachable.Count - unused, unused, 0, 0, 0, 0, 0);

        var written = await RepackAsync(repack, cancellationToken).ConfigureAwait(false);
        var replaced = await RewriteIndexAsync(drop, repack, written, cancellationToken).ConfigureAwait(false);
        long freed = 0, deleted = 0;
        _repository.DropIndexExclusive();
        foreach (var pack in drop.Concat(repack).Concat(orphans))
        {
            Report(PruneStep.Delete, deleted++, drop.Count + repack.Count + orphans.Count);
            freed += (await _repository.Store.StatAsync(PackLayout.FileName(pack), cancellationToken).ConfigureAwait(false))?.Length ?? 0;
            await _repository.Store.DeleteAsync(PackLayout.FileName(pack), cancellationToken).ConfigureAwait(false);
        }
        await _repository.ReloadIndexExclusiveAsync(_rewrittenEntries, cancellationToken).ConfigureAwait(false);
        return new PruneResult(_reachable.Count - unused, unused, drop.Count + orphans.Count, repack.Count, written.Count, replaced, freed);
    }

    private async Task MarkAsync(CancellationToken cancellationToken)
    {
        var (snapshots, done) = (await _repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false), 0);
        foreach (var snapshot in snapshots)
        {
            Report(PruneStep.Mark, done++, snapshots.Count);
            foreach (var id in snapshot.Record.TreeChunks)
                Mark(id);
            foreach (var id in snapshot.Record.Documents.SelectMany(d => d.Chunks))
                Mark(id);
            await foreach (var file in _repository.ReadTreeAsync(snapshot.Record, cancellationToken).ConfigureAwait(false))
            {
                foreach (var chunk in file.Chunks)
                    Mark(chunk.Id);
                foreach (var extent in file.Extents)
                    await MarkExtentAsync(extent.ObjectId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task MarkExtentAsync(ChunkId objectId, CancellationToken cancellationToken)
    {
        for (var depth = 0; depth <= FormatConstants.MaxReaderDeltaDepth; depth++)
        {
            if (!Mark(objectId) || !_repository.Index.TryGet(objectId, out var location) || location.Entry.Kind != ChunkKind.PageDelta)
                return;
            var delta = await _repository.ReadChunkAsync(location, cancellationToken).ConfigureAwait(false);
            objectId = PageDelta.ReadBase(delta).BaseId;
        }
    }

    /// <summary>Marks a chunk; false when it was already marked (its delta bases are then marked too).</summary>
    private bool Mark(ChunkId id)
    {
        var ordinal = _repository.Index.OrdinalOf(id);
        if (ordinal < 0)
            throw new RepositoryObjectMissingException("index/", id.ToString(), "a snapshot reaches a chunk the index does not list; run check, prune refuses to continue");
        if (_reachable[ordinal])
            return false;
        _reachable[ordinal] = true;
        return true;
    }

    private (Dictionary<ChunkId, long> Used, Dictionary<ChunkId, long> Unused, long UnusedCount) Tally()
    {
        var used = new Dictionary<ChunkId, long>();
        var unused = new Dictionary<ChunkId, long>();
        long unusedCount = 0;
        for (var i = 0; i < _reachable.Count; i++)
        {
            var (pack, stored) = _repository.Index.PackAt(i);
            var target = _reachable[i] ? used : unused;
            target[pack] = target.GetValueOrDefault(pack) + stored;
            unusedCount += _reachable[i] ? 0 : 1;
        }
        return (used, unused, unusedCount);
    }

    /// <summary>Copies the reachable chunks of <paramref name="packs"/> into new packs (decoded, verified, re-encoded).</summary>
    private async Task<List<FinishedPack>> RepackAsync(HashSet<ChunkId> packs, CancellationToken cancellationToken)
    {
        var written = new List<FinishedPack>();
        var writer = new PackWriter(_repository.Codec, _repository.Hasher);
        var done = 0;
        foreach (var pack in packs)
        {
            Report(PruneStep.Repack, done++, packs.Count);
            var bytes = await _repository.Store.GetAsync(PackLayout.FileName(pack), cancellationToken).ConfigureAwait(false);
            foreach (var entry in PackHeaderCodec.ParsePack(bytes, _repository.Box))
            {
                var ordinal = _repository.Index.OrdinalOf(entry.Id);
                if (ordinal < 0 || !_reachable[ordinal] || _repository.Index.PackAt(ordinal).Pack != pack)
                    continue;
                var plain = _repository.Codec.DecodeVerified(bytes.AsSpan((int)entry.Offset, (int)entry.StoredLength), entry, _repository.Hasher);
                writer.Add(entry.Id, entry.Kind, plain);
                if (writer.Length >= _repository.Settings.PackTargetSize)
                {
                    written.Add(await PutAsync(writer, cancellationToken).ConfigureAwait(false));
                    writer = new PackWriter(_repository.Codec, _repository.Hasher);
                }
            }
        }
        if (writer.Count > 0)
            written.Add(await PutAsync(writer, cancellationToken).ConfigureAwait(false));
        return written;
    }

    private async Task<FinishedPack> PutAsync(PackWriter writer, CancellationToken cancellationToken)
    {
        var finished = writer.Finish();
        await _repository.PutImmutableAsync(finished.FileName, finished.Bytes, cancellationToken).ConfigureAwait(false);
        return finished;
    }

    /// <summary>
    /// Streams every old delta once (entry by entry from its body, no decoded entry list), keeping the entries of packs that
    /// stay, and writes new deltas in bounded batches. They do not use Supersedes: a crash between two batches would
    /// otherwise hide the old deltas before the new ones are complete.
    /// Old and new deltas overlap harmlessly until the old ones are deleted, which happens only after every batch is stored.
    /// Returns how many old deltas were replaced.
    /// </summary>
    private async Task<int> RewriteIndexAsync(HashSet<ChunkId> drop, HashSet<ChunkId> repack, List<FinishedPack> written, CancellationToken cancellationToken)
    {
        var oldDeltas = new List<BlobInfo>();
        await foreach (var info in _repository.Store.ListAsync(IndexDelta.Directory, cancellationToken).ConfigureAwait(false))
            oldDeltas.Add(info);
        var files = new IndexDeltaFiles(_repository);
        var emitted = new BitArray(_reachable.Count);
        var batch = new Dictionary<ChunkId, List<PackEntry>>();
        var batchEntries = 0;

        async Task FlushAsync()
        {
            if (batchEntries == 0)
                return;
            var delta = IndexDelta.FromPacks(batch.Select(b => (b.Key, (IReadOnlyList<PackEntry>)b.Value)));
            await _repository.PutObjectAsync(IndexDelta.Directory, ObjectType.Index, delta.EncodeBody(), cancellationToken).ConfigureAwait(false);
            batch.Clear();
            batchEntries = 0;
        }

        void Add(ChunkId pack, PackEntry entry)
        {
            if (!batch.TryGetValue(pack, out var list))
                batch[pack] = list = [];
            list.Add(entry);
            batchEntries++;
            _rewrittenEntries++;
        }

        foreach (var pack in written)
            foreach (var entry in pack.Entries)
                Add(pack.PackId, entry);
        var done = 0;
        foreach (var (name, length) in oldDeltas)
        {
            Report(PruneStep.RewriteIndex, done++, oldDeltas.Count);
            var reader = await files.ReadAsync(name, length, cancellationToken).ConfigureAwait(false);
            while (NextEntry(name, ref reader, out var packOrdinal, out var entry))
            {
                var pack = reader.Pack(packOrdinal);
                var ordinal = _repository.Index.OrdinalOf(entry.Id);
                if (drop.Contains(pack) || repack.Contains(pack) || ordinal < 0 || emitted[ordinal] || _repository.Index.PackAt(ordinal).Pack != pack)
                    continue;
                emitted[ordinal] = true;
                Add(pack, entry);
                if (batchEntries >= _repository.Options.IndexDeltaEntries)
                    await FlushAsync().ConfigureAwait(false);
            }
        }
        await FlushAsync().ConfigureAwait(false);
        foreach (var (name, _) in oldDeltas)
            await _repository.Store.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        return oldDeltas.Count;
    }

    private static bool NextEntry(string name, ref IndexDeltaReader reader, out int packOrdinal, out PackEntry entry)
    {
        try
        {
            return reader.Next(out packOrdinal, out entry);
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, name, null, e.Message, e);
        }
    }
}
