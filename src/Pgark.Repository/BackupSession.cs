using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Locks;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository;

/// <summary>
/// One backup's writes, in the order of spec §14: chunks go into packs (verified before each put), index deltas follow the
/// packs they name, and <see cref="CommitAsync"/> publishes the snapshot last. Abandoning a session (dispose without
/// commit, or a crash) leaves only garbage that no snapshot references. Holds a shared lock until disposed. Not thread-safe.
/// </summary>
public sealed class BackupSession : IAsyncDisposable
{
    private readonly Repository _repository;
    private readonly RepositoryLock _lock;
    private readonly Dictionary<ChunkId, ChunkKind> _written = [];
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

    /// <summary>Stores a chunk unless the repository already has it; returns its reference.</summary>
    public async ValueTask<ChunkRef> AddChunkAsync(ReadOnlyMemory<byte> plaintext, ChunkKind kind = ChunkKind.Data, CancellationToken cancellationToken = default)
    {
        var id = _repository.Hasher.Compute(plaintext.Span);
        await StoreAsync(id, kind, plaintext, cancellationToken).ConfigureAwait(false);
        return new ChunkRef(id, (uint)plaintext.Length);
    }

    /// <summary>
    /// Stores one extent of a paged file (spec §7.1): nothing if it equals <paramref name="parent"/> page by page, nothing
    /// new if its bytes are already a chunk, a PageDelta of the changed pages against <paramref name="parent"/> when the
    /// chain is short and at most half the pages changed, else the whole extent.
    /// </summary>
    public async ValueTask<ExtentRef> AddExtentAsync(ReadOnlyMemory<byte> extent, int pageSize, int pagesPerExtent, ExtentRef? parent,
        CancellationToken cancellationToken = default)
    {
        var pages = PageDelta.PageCount(extent.Length, pageSize);
        if (pages > pagesPerExtent || extent.Length == 0)
            throw new ArgumentException($"extent of {extent.Length} bytes does not fit {pagesPerExtent} pages of {pageSize}", nameof(extent));
        var hashes = new ulong[pagesPerExtent];
        var changed = new bool[pages];
        var changedCount = 0;
        for (var p = 0; p < pages; p++)
        {
            hashes[p] = _repository.Hasher.PageHash(extent.Span.Slice(p * pageSize, Math.Min(pageSize, extent.Length - p * pageSize)));
            changed[p] = parent is null || parent.PageHashes.Length != pagesPerExtent || parent.PageHashes[p] != hashes[p];
            changedCount += changed[p] ? 1 : 0;
        }
        if (parent is not null && changedCount == 0 && hashes.AsSpan().SequenceEqual(parent.PageHashes))
        {
            DeduplicatedChunks++;
            return parent;
        }
        var fullId = _repository.Hasher.Compute(extent.Span);
        if (Has(fullId) || parent is null || parent.DeltaDepth >= FormatConstants.MaxWriterDeltaDepth || changedCount * 2 > pages)
        {
            await StoreAsync(fullId, ChunkKind.Data, extent, cancellationToken).ConfigureAwait(false);
            return new ExtentRef(fullId, 0, hashes);
        }
        var delta = PageDelta.Encode(parent.ObjectId, parent.DeltaDepth + 1, extent.Span, pageSize, changed);
        var deltaRef = await AddChunkAsync(delta, ChunkKind.PageDelta, cancellationToken).ConfigureAwait(false);
        return new ExtentRef(deltaRef.Id, parent.DeltaDepth + 1, hashes);
    }

    /// <summary>Adds a file of the tree; files must come in ascending ordinal path order.</summary>
    public ValueTask AddFileAsync(FileEntry file, IReadOnlyList<ChunkRef> chunks)
    {
        ThrowIfBroken();
        return _tree.AddAsync(file, chunks, []);
    }

    public ValueTask AddPagedFileAsync(FileEntry file, IReadOnlyList<ExtentRef> extents)
    {
        ThrowIfBroken();
        return _tree.AddAsync(file, [], extents);
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
        ThrowIfBroken();
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

    public async ValueTask DisposeAsync() => await _lock.DisposeAsync().ConfigureAwait(false);

    private bool Has(ChunkId id) => _written.ContainsKey(id) || _repository.Index.Contains(id);

    private async ValueTask StoreAsync(ChunkId id, ChunkKind kind, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        ThrowIfBroken();
        if (Has(id))
        {
            DeduplicatedChunks++;
            return;
        }
        var entry = _pack.Add(id, kind, plaintext.Span);
        _written.Add(id, kind);
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
        var finished = _pack.Finish();
        _pack = NewPack();
        await _repository.PutImmutableAsync(finished.FileName, finished.Bytes, cancellationToken).ConfigureAwait(false);
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
        _unindexed.Clear();
        _unindexedEntries = 0;
    }

    private PackWriter NewPack() => new(_repository.Codec, _repository.Hasher);
}
