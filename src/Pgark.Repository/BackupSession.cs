using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Ingest;
using Pgark.Repository.Locks;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository;

/// <summary>
/// One backup's writes, in the order of spec §14: chunks go into packs (verified before each put), index deltas follow the
/// packs they name, and <see cref="CommitAsync"/> publishes the snapshot last. Abandoning a session (dispose without
/// commit, or a crash) leaves only garbage that no snapshot references. Holds a shared lock until disposed. Not thread-safe:
/// one caller at a time, but the work of <see cref="QueueChunkAsync"/> and <see cref="QueueExtentAsync"/> runs on the thread
/// pool (see spec/repository-format.md §14.1, "Parallel ingest").
/// <para>
/// Memory: the queued jobs hold at most <see cref="RepositoryOptions.IngestWindowBytes"/> of plaintext (plus their encoded
/// form), one pack of <see cref="Config.StorageSettings.PackTargetSize"/> is built at a time (in one buffer reused from pack
/// to pack), and the ids written but not yet
/// in a published index delta (at most <see cref="RepositoryOptions.IndexDeltaEntries"/>) sit in a hash set. Once a delta
/// is published its ids move into a session-side <see cref="MergedIndex"/> at 33 bytes each, the cost they will have in
/// the resident index of every later reader anyway, instead of staying in the hash set for the rest of the backup.
/// </para>
/// </summary>
public sealed class BackupSession : IAsyncDisposable
{
    private readonly Repository _repository;
    private readonly RepositoryLock _lock;
    private readonly ConcurrentDictionary<ChunkId, byte> _written = new();
    private readonly Queue<IngestJob> _inFlight = new();
    private readonly IngestContext _context;
    private MergedIndex _published = MergedIndex.Empty;
    private long _inFlightBytes;
    private readonly List<(ChunkId PackId, IReadOnlyList<PackEntry> Entries)> _unindexed = [];
    private readonly List<DocumentRef> _documents = [];
    private readonly TreeWriter _tree;
    private PackWriter _pack;
        private int _unindexedEntries;
    private bool _committed;
    private Exception? _broken;

    internal BackupSession(Repository repository, RepositoryLock heldLock)
    {
        _repository = repository;
        _lock = heldLock;
        _pack = NewPack();
        _context = new IngestContext(repository.Hasher, repository.Codec, Has, IngestContext.CreateBufferPool(repository.Options.IngestWindowBytes));
        _tree = new TreeWriter(repository.Hasher, async bytes => (await AddChunkAsync(bytes, ChunkKind.Tree).ConfigureAwait(false)).Id);
    }

    /// <summary>The settings this session writes with (spec §4.1): extent size and chunker limits for the callers that cut data.</summary>
    public Config.StorageSettings Settings => _repository.Settings;

    /// <summary>Chunks stored by this session (not deduplicated away).</summary>
    public long StoredChunks { get; private set; }
    /// <summary>Stored bytes (after compression and sealing) of this session's new chunks.</summary>
    public long StoredBytes { get; private set; }
    /// <summary>Chunks found already present.</summary>
    public long DeduplicatedChunks { get; private set; }

    /// <summary>Ids held in the hash set: written, not yet in a published index delta (bounded, see the class remarks).</summary>
    internal int UnpublishedChunkIds => _written.Count;

    /// <summary>Plaintext bytes queued for the ingest workers and not yet retired.</summary>
    internal long QueuedBytes => _inFlightBytes;

    /// <summary>Stores a chunk unless the repository already has it, on the caller's thread; returns its reference.</summary>
    public async ValueTask<ChunkRef> AddChunkAsync(ReadOnlyMemory<byte> plaintext, ChunkKind kind = ChunkKind.Data, CancellationToken cancellationToken = default)
    {
        ThrowIfBroken();
        var id = _repository.Hasher.Compute(plaintext.Span);
        if (Has(id))
            DeduplicatedChunks++;
        else
            await AppendAsync(PackWriter.Encode(_repository.Codec, _repository.Hasher, id, kind, plaintext.Span), cancellationToken).ConfigureAwait(false);
        return new ChunkRef(id, (uint)plaintext.Length);
    }

    /// <summary>
    /// Stores one extent of a paged file (spec §7.1) on the caller's thread: nothing if it equals <paramref name="parent"/>
    /// page by page, nothing new if its bytes are already a chunk, a PageDelta of the changed pages against
    /// <paramref name="parent"/> when the chain is short and at most half the pages changed, else the whole extent.
    /// </summary>
    public async ValueTask<ExtentRef> AddExtentAsync(ReadOnlyMemory<byte> extent, int pageSize, int pagesPerExtent, ExtentRef? parent,
        CancellationToken cancellationToken = default)
    {
        ThrowIfBroken();
        var plan = ExtentPlan.Make(extent.Span, pageSize, pagesPerExtent, parent, _repository.Hasher, Has);
        if (plan.Unchanged || Has(plan.StoreId))
            DeduplicatedChunks++;
        else
            await AppendAsync(PackWriter.Encode(_repository.Codec, _repository.Hasher, plan.StoreId, plan.StoreKind,
                plan.Delta ?? extent.Span), cancellationToken).ConfigureAwait(false);
        return plan.Result;
    }

    /// <summary>
    /// Queues a chunk: hashing, compression and verification run on the thread pool, and its reference is appended to
    /// <paramref name="into"/> once it is stored, in the order of the calls (across all lists). The bytes are copied, so
    /// the caller may reuse its buffer on return. Waits while <see cref="RepositoryOptions.IngestWindowBytes"/> are queued.
    /// Call <see cref="DrainAsync"/> (or add the file, or commit) before reading <paramref name="into"/>.
    /// </summary>
    public ValueTask QueueChunkAsync(ReadOnlyMemory<byte> plaintext, List<ChunkRef> into, ChunkKind kind = ChunkKind.Data,
        CancellationToken cancellationToken = default)
        => EnqueueAsync(IngestJob.ForChunk(_context, plaintext.Span, kind, into), cancellationToken);

    /// <summary>Queues one extent of a paged file, as <see cref="AddExtentAsync"/> would store it; see <see cref="QueueChunkAsync"/>.</summary>
    public ValueTask QueueExtentAsync(ReadOnlyMemory<byte> extent, int pageSize, int pagesPerExtent, ExtentRef? parent, List<ExtentRef> into,
        CancellationToken cancellationToken = default)
        => EnqueueAsync(IngestJob.ForExtent(_context, extent.Span, pageSize, pagesPerExtent, parent, into), cancellationToken);

    /// <summary>Waits for every queued chunk and extent to be stored and its reference appended.</summary>
    public async ValueTask DrainAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfBroken();
        while (_inFlight.Count > 0)
            await RetireHeadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a file of the tree; files must come in ascending ordinal path order.</summary>
    public async ValueTask AddFileAsync(FileEntry file, IReadOnlyList<ChunkRef> chunks)
    {
        await DrainAsync().ConfigureAwait(false);
        await _tree.AddAsync(file, chunks, []).ConfigureAwait(false);
    }

    public async ValueTask AddPagedFileAsync(FileEntry file, IReadOnlyList<ExtentRef> extents)
    {
        await DrainAsync().ConfigureAwait(false);
        await _tree.AddAsync(file, [], extents).ConfigureAwait(false);
    }

    /// <summary>Stores an attached document (e.g. backup_manifest) in 1 MiB chunks.</summary>
    public async ValueTask<DocumentRef> AddDocumentAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var ids = new List<ChunkId>();
        for (var at = 0; at < content.Length; at += 1 << 20)
            ids.Add((await AddChunkAsync(content.Slice(at, Math.Min(1 << 20, content.Length - at)), ChunkKind.Data, cancellationToken).ConfigureAwait(false)).Id);
        var document = new DocumentRef(name, content.Length, ids);
        _documents.Add(document);
        return document;
    }

    /// <summary>Publishes the remaining pack, the index delta, then the snapshot (spec §14). Returns the new snapshot.</summary>
    public async Task<SnapshotInfo> CommitAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        if (_committed)
            throw new InvalidOperationException("the session is already committed");
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        var treeChunks = await _tree.FinishAsync().ConfigureAwait(false);
        await FlushPackAsync(cancellationToken).ConfigureAwait(false);
        await FlushIndexAsync(cancellationToken).ConfigureAwait(false);
        var record = new SnapshotRecord(metadata, _tree.RecordCount, _tree.PlainBytes, treeChunks, _documents);
        ChunkId id;
        try
        {
            id = await _repository.PutObjectAsync(SnapshotRecord.Directory, ObjectType.Snapshot, record.EncodeBody(), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _broken ??= e;
            throw;
        }
        _committed = true;
        await _repository.LoadIndexAsync(cancellationToken).ConfigureAwait(false);
        return new SnapshotInfo(id, record);
    }

    /// <summary>Releases the lock; queued work that was never drained is waited for (its buffers return to the pool) and dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        while (_inFlight.TryDequeue(out var job))
        {
            await job.Done.ConfigureAwait(false);
            job.Encoded?.Release();
        }
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Thread-safe: ingest workers ask it too. Unpublished ids, then this session's published ones, then the repository's.</summary>
    private bool Has(ChunkId id) => _written.ContainsKey(id) || _published.Contains(id) || _repository.Index.Contains(id);

    private async ValueTask EnqueueAsync(IngestJob job, CancellationToken cancellationToken)
    {
        ThrowIfBroken();
        while (_inFlight.Count > 0 && _inFlightBytes + job.Length > _repository.Options.IngestWindowBytes)
            await RetireHeadAsync(cancellationToken).ConfigureAwait(false);
        _inFlight.Enqueue(job);
        _inFlightBytes += job.Length;
        ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        // Retire what is already done, so packs fill while the caller keeps producing.
        while (_inFlight.TryPeek(out var head) && head.Done.IsCompleted)
            await RetireHeadAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RetireHeadAsync(CancellationToken cancellationToken)
    {
        var job = _inFlight.Peek();
        await job.Done.WaitAsync(cancellationToken).ConfigureAwait(false);
        _inFlight.Dequeue();
        _inFlightBytes -= job.Length;
        if (job.Error is not null)
        {
            _broken ??= job.Error;
            ExceptionDispatchInfo.Throw(job.Error);
        }
        ThrowIfBroken();
        // The worker's "absent" may be stale: an earlier job with the same bytes was appended after it looked.
        if (job.Encoded is { } encoded && !Has(encoded.Id))
        {
            // Copied into the pack here, so its rented buffer goes back to the pool before any flush.
            var entry = _pack.Append(encoded);
            encoded.Release();
            await AppendedAsync(encoded.Id, entry, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            job.Encoded?.Release();
            DeduplicatedChunks++;
        }
        if (job.ExtentTarget is not null)
            job.ExtentTarget.Add(job.Extent!);
        else
            job.ChunkTarget!.Add(new ChunkRef(job.Id, (uint)job.Length));
    }

    private ValueTask AppendAsync(EncodedChunk chunk, CancellationToken cancellationToken)
        => AppendedAsync(chunk.Id, _pack.Append(chunk), cancellationToken);

    /// <summary>Accounts for a chunk just appended to the current pack; flushes the pack once it reaches the target size.</summary>
    private async ValueTask AppendedAsync(ChunkId id, PackEntry entry, CancellationToken cancellationToken)
    {
        _written.TryAdd(id, 0);
        StoredChunks++;
        StoredBytes += entry.StoredLength;
        if (_pack.Length >= _repository.Settings.PackTargetSize)
            await FlushPackAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Errors are sticky (as restic's packer): after a failed put the session has told its caller about chunks that may not
    /// be stored, so it refuses all further work instead of risking a snapshot that references them.
    /// </summary>
    private void ThrowIfBroken()
    {
        if (_broken is not null)
            throw new InvalidOperationException("the backup session failed earlier and cannot be used again; start a new one", _broken);
    }

    private async Task FlushPackAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushPackCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _broken ??= e;
            throw;
        }
    }

    private async Task FlushPackCoreAsync(CancellationToken cancellationToken)
    {
        if (_pack.Count == 0)
            return;
        // Finished in its own buffer and put from there; once stored, that buffer builds the next pack (no per-pack growth).
        var finished = _pack.FinishInPlace();
        await _repository.PutImmutableAsync(finished.FileName, finished.File, cancellationToken).ConfigureAwait(false);
        _pack = NewPack(finished.Buffer);
        _unindexed.Add((finished.PackId, finished.Entries));
        _unindexedEntries += finished.Entries.Count;
        if (_unindexedEntries >= _repository.Options.IndexDeltaEntries)
            await FlushIndexAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushIndexAsync(CancellationToken cancellationToken)
    {
        if (_unindexed.Count == 0)
            return;
        var delta = IndexDelta.FromPacks(_unindexed);
        try
        {
            await _repository.PutObjectAsync(IndexDelta.Directory, ObjectType.Index, delta.EncodeBody(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _broken ??= e;
            throw;
        }
        // Published: the ids move from the hash set into the compact session index (see the class remarks).
        _published = _published.Merge(delta);
        foreach (var (_, entry) in delta.Entries)
            _written.TryRemove(entry.Id, out _);
        _unindexed.Clear();
        _unindexedEntries = 0;
    }

    private PackWriter NewPack(byte[]? buffer = null)
        => new(_repository.Codec, _repository.Hasher, _repository.Settings.PackTargetSize + (1 << 20), buffer);
}
