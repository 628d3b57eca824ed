using System.Security.Cryptography;
using Pgark.Repository.Config;
using Pgark.Repository.Crypto;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Locks;
using Pgark.Repository.Objects;
using Pgark.Repository.Packs;
using Pgark.Repository.Storage;

namespace Pgark.Repository;

/// <summary>
/// An opened repository: config, keys, the merged index and the codecs. Entry point for backup sessions, reads, check and
/// prune. Thread-safe for reads; sessions are single-writer objects.
/// </summary>
public sealed partial class Repository
{
    private Repository(IBlobStore store, RepositoryConfig config, RepositoryOptions options, byte[]? masterKey,
        StorageSettingsRecord? storedSettings)
    {
        Store = store;
        Config = config;
        Options = options;
        StoredSettings = storedSettings;
        Settings = options.Storage ?? storedSettings?.Settings ?? StorageSettings.Default;
        Hasher = masterKey is null ? ChunkHasher.Unkeyed : ChunkHasher.FromMasterKey(masterKey);
        Box = masterKey is null ? null : SealedBox.FromMasterKey(masterKey);
        Codec = new StoredChunkCodec(Settings.CompressionLevel, Box);
        Wal = new Wal.WalArchive(this);
    }

    /// <summary>The continuous WAL archive (spec §8).</summary>
    public Wal.WalArchive Wal { get; }

    // Null only when opened with RepositoryOptions.LoadIndex = false.
    private MergedIndex? _index = MergedIndex.Empty;

    public IBlobStore Store { get; }
    public RepositoryConfig Config { get; }
    public RepositoryOptions Options { get; }
    public ChunkHasher Hasher { get; }
    /// <summary>The resident chunk index; throws when the repository was opened without it (<see cref="RepositoryOptions.LoadIndex"/>).</summary>
    public MergedIndex Index
    {
        get => _index ?? throw new InvalidOperationException(
            "the repository was opened without its chunk index (RepositoryOptions.LoadIndex = false); open it with the index to read or write chunks");
        private set => _index = value;
    }

    internal SealedBox? Box { get; }
    internal StoredChunkCodec Codec { get; }

    /// <summary>Creates a repository in an empty store. Refuses a store that already has a config.</summary>
    public static async Task<Repository> InitAsync(IBlobStore store, RepositoryInitOptions init, RepositoryOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new RepositoryOptions();
        // Chunks and metadata are stored as zstd frames: refuse a machine without libzstd before anything is written.
        Codecs.ZstdLibrary.EnsureLoaded();
        if (await store.StatAsync(RepositoryConfig.FileName, cancellationToken).ConfigureAwait(false) is not null)
            throw new BlobAlreadyExistsException(RepositoryConfig.FileName);
        var config = new RepositoryConfig(FormatConstants.FormatVersion, init.Passphrase is not null, RandomNumberGenerator.GetBytes(16));
        byte[]? masterKey = null;
        if (init.Passphrase is not null)
        {
            if (init.KdfIterations < FormatConstants.MinimumKdfIterations)
                throw new ArgumentOutOfRangeException(nameof(init), $"KdfIterations must be at least {FormatConstants.MinimumKdfIterations}");
            (var body, masterKey) = KeyFile.Create(init.Passphrase, config.RepositoryId, init.KdfIterations);
            var keyFile = ObjectEnvelope.Encode(ObjectType.Key, body, compress: false, box: null);
            // Keys go first: a config without its key would be an unusable repository, a key without config is ignorable garbage.
            await store.PutAsync("keys/" + ChunkHasher.FileId(keyFile), keyFile, cancellationToken).ConfigureAwait(false);
        }
        await store.PutAsync(RepositoryConfig.FileName, config.Encode(), cancellationToken).ConfigureAwait(false);
        var repository = new Repository(store, config, options with { Passphrase = init.Passphrase }, masterKey, null);
        if (init.Storage is null)
            return repository;
        var stored = await repository.SaveSettingsAsync(init.Storage, "init", cancellationToken).ConfigureAwait(false);
        return new Repository(store, config, repository.Options, masterKey, stored);
    }

    /// <summary>Opens a repository and loads its index (unless <see cref="RepositoryOptions.LoadIndex"/> is false). Nothing is written.</summary>
    public static async Task<Repository> OpenAsync(IBlobStore store, RepositoryOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RepositoryOptions();
        // Chunks and metadata are stored as zstd frames: refuse a machine without libzstd before a backup connects to a server.
        Codecs.ZstdLibrary.EnsureLoaded();
        var config = RepositoryConfig.Decode(await store.GetAsync(RepositoryConfig.FileName, cancellationToken).ConfigureAwait(false));
        var keyFiles = new List<string>();
        await foreach (var info in store.ListAsync("keys/", cancellationToken).ConfigureAwait(false))
            keyFiles.Add(info.Name);
        byte[]? masterKey = null;
        if (!config.Encrypted && keyFiles.Count > 0)
            throw new RepositoryCorruptionException(CorruptionCause.Unknown, RepositoryConfig.FileName, null,
                "config says unencrypted but key files exist (downgrade refused, spec §13)");
        if (config.Encrypted)
            masterKey = await UnlockAsync(store, config, keyFiles, options.Passphrase, cancellationToken).ConfigureAwait(false);
        var box = masterKey is null ? null : SealedBox.FromMasterKey(masterKey);
        StorageSettingsRecord? stored = null;
        RepositoryException? settingsError = null;
        try
        {
            stored = await LoadSettingsAsync(store, box, cancellationToken).ConfigureAwait(false);
        }
        catch (RepositoryCorruptionException e)
        {
            // Settings are not needed to read data, so a damaged settings object blocks only writing (and check reports it).
            settingsError = e;
        }
        var repository = new Repository(store, config, options, masterKey, stored) { SettingsError = settingsError };
        if (options.LoadIndex)
            await repository.LoadIndexAsync(cancellationToken).ConfigureAwait(false);
        else
            repository._index = null;
        return repository;
    }

    /// <summary>Re-reads index deltas (after another process published some).</summary>
    public Task LoadIndexAsync(CancellationToken cancellationToken = default) => ReadIndexAsync(0, cancellationToken);

    /// <summary>Reads the index deltas into <see cref="Index"/> and remembers which deltas it was read from.</summary>
    private async Task ReadIndexAsync(long expectedEntries, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        Index = await IndexLoader.LoadAsync(this, expectedEntries, cancellationToken, names).ConfigureAwait(false);
        _indexDeltaNames = names;
    }

    /// <summary>The index deltas the resident index was read from.</summary>
    private HashSet<string> _indexDeltaNames = [];

    /// <summary>
    /// Under a shared lock, before a backup deduplicates against the resident index: a prune that finished since the index was
    /// read (in another process, between this process's open and its lock) deleted packs and replaced the deltas listing them.
    /// The index would then claim chunks the repository no longer has, and a backup would reference them without storing them.
    /// So when any delta the index was read from is gone, the index is read again; deltas only added since cost nothing here.
    /// </summary>
    private async Task RefreshIndexIfPrunedAsync(CancellationToken cancellationToken)
    {
        if (_indexDeltaNames.Count == 0)
            return;
        var present = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var info in Store.ListAsync(IndexDelta.Directory, cancellationToken).ConfigureAwait(false))
            present.Add(info.Name);
        if (!_indexDeltaNames.IsSubsetOf(present))
            await LoadIndexAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Re-reads the index deltas after dropping the resident index, so the old and the new index are never both resident
    /// and the new one is read straight into a table of <paramref name="expectedEntries"/> slots:
    /// only for a holder of the exclusive lock (prune), which nothing else in the process reads the index beside. If the
    /// load fails the index stays empty until a later load succeeds (lookups then miss; nothing is served wrongly).
    /// </summary>
    /// <param name="expectedEntries">How many entries the deltas now hold (sizes the new table up front; 0 if unknown).</param>
    internal async Task ReloadIndexExclusiveAsync(long expectedEntries, CancellationToken cancellationToken)
    {
        DropIndexExclusive();
        await ReadIndexAsync(expectedEntries, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Empties the resident index (prune, under the exclusive lock, before it deletes packs): should the prune stop between
    /// deleting packs and reloading, no lookup in this process finds a chunk in a deleted pack; a miss only costs storing it again.
    /// </summary>
    internal void DropIndexExclusive()
    {
        Index = MergedIndex.Empty;
        _indexDeltaNames = [];
    }

    /// <summary>Verifies the repository (spec §12); <paramref name="readData"/> also decodes and re-hashes every chunk.</summary>
    public Task<Check.CheckReport> CheckAsync(bool readData = false, CancellationToken cancellationToken = default)
        => new Check.RepositoryChecker(this).RunAsync(readData, cancellationToken);

    /// <summary>Check restricted to a scope: with <paramref name="readData"/>, only the packs and WAL objects it selects are read.</summary>
    public Task<Check.CheckReport> CheckAsync(Check.CheckScope scope, bool readData, CancellationToken cancellationToken = default)
        => new Check.RepositoryChecker(this, scope).RunAsync(readData, cancellationToken);

    /// <summary>Check with <paramref name="progress"/> told how far the pack pass has got (<see cref="Check.CheckProgress"/>, once per pack).</summary>
    public Task<Check.CheckReport> CheckAsync(Check.CheckScope scope, bool readData, IProgress<Check.CheckProgress>? progress,
        CancellationToken cancellationToken = default)
        => new Check.RepositoryChecker(this, scope, progress).RunAsync(readData, cancellationToken);

    /// <summary>Counts from the index plus the number of snapshots.</summary>
    public async Task<Maintenance.RepositoryStats> GetStatsAsync(CancellationToken cancellationToken = default)
        => Maintenance.RepositoryStats.From(this, (await ListSnapshotsAsync(cancellationToken).ConfigureAwait(false)).Count);

    /// <summary>Deletes one snapshot file (never a pinned one) under an exclusive lock; its chunks become garbage for <see cref="PruneAsync(double, CancellationToken)"/>.</summary>
    public async Task ForgetAsync(ChunkId snapshotId, CancellationToken cancellationToken = default)
    {
        await using var held = await LockAsync(LockKind.Exclusive, "forget", cancellationToken).ConfigureAwait(false);
        if (await Store.StatAsync(PinFileName(snapshotId), cancellationToken).ConfigureAwait(false) is not null)
            throw new ArgumentException($"snapshot {snapshotId.ToShortString()} is pinned; unpin it first", nameof(snapshotId));
        if (!await Store.DeleteAsync(Snapshots.SnapshotRecord.FileName(snapshotId), cancellationToken).ConfigureAwait(false))
            throw new RepositoryObjectMissingException(Snapshots.SnapshotRecord.FileName(snapshotId));
    }

    /// <summary>
    /// Removes unreachable chunks under an exclusive lock (spec §14). Packs whose unused share of bytes is at least
    /// <paramref name="repackUnusedFraction"/> are rewritten; fully unused packs are deleted.
    /// </summary>
    public Task<Maintenance.PruneResult> PruneAsync(double repackUnusedFraction = 0.2, CancellationToken cancellationToken = default)
        => PruneAsync(repackUnusedFraction, null, cancellationToken);

    /// <summary>Prune with <paramref name="progress"/> told each step's advance (<see cref="Maintenance.PruneProgress"/>).</summary>
    public async Task<Maintenance.PruneResult> PruneAsync(double repackUnusedFraction, IProgress<Maintenance.PruneProgress>? progress,
        CancellationToken cancellationToken = default)
    {
        await using var held = await LockAsync(LockKind.Exclusive, "prune", cancellationToken).ConfigureAwait(false);
        await ReloadIndexExclusiveAsync(Index.LoadedEntries, cancellationToken).ConfigureAwait(false);
        return await new Maintenance.Pruner(this, progress).RunAsync(repackUnusedFraction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a lock (spec §15). Dispose the result to release it.</summary>
    public Task<RepositoryLock> LockAsync(LockKind kind, string purpose, CancellationToken cancellationToken = default)
        => RepositoryLock.AcquireAsync(Store, kind, purpose, Options, cancellationToken);

    /// <summary>Starts a backup: takes a shared lock; commit publishes a snapshot.</summary>
    public async Task<BackupSession> BeginBackupAsync(string purpose = "backup", CancellationToken cancellationToken = default)
    {
        if (SettingsError is not null && Options.Storage is null)
            throw SettingsError;
        var heldLock = await LockAsync(LockKind.Shared, purpose, cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshIndexIfPrunedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await heldLock.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new BackupSession(this, heldLock);
    }

    /// <summary>Reads a whole immutable file, checks it hashes to its name, and opens its envelope.</summary>
    internal async Task<byte[]> LoadObjectAsync(string name, ObjectType type, CancellationToken cancellationToken)
    {
        var bytes = await Store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        var actual = ChunkHasher.FileId(bytes);
        if (actual != FileIdOf(name))
            throw new RepositoryCorruptionException(CorruptionCause.StorageDamage, name, null,
                $"content ({bytes.Length} bytes) hashes to {actual.ToShortString()}, not to its name");
        try
        {
            return ObjectEnvelope.Decode(name, bytes, type, type is ObjectType.Key or ObjectType.Lock or ObjectType.Wal ? null : Box);
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, name, null, e.Message, e);
        }
    }

    /// <summary>Encodes and puts an immutable object; returns its file id. An existing identical name is success.</summary>
    internal async Task<ChunkId> PutObjectAsync(string directory, ObjectType type, byte[] body, CancellationToken cancellationToken)
    {
        var file = ObjectEnvelope.Encode(type, body, compress: true, Box);
        var id = ChunkHasher.FileId(file);
        await PutImmutableAsync(directory + id, file, cancellationToken).ConfigureAwait(false);
        return id;
    }

    internal Task PutImmutableAsync(string name, byte[] bytes, CancellationToken cancellationToken)
        => PutImmutableAsync(name, bytes.AsMemory(), cancellationToken);

    internal async Task PutImmutableAsync(string name, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await Store.PutAsync(name, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobAlreadyExistsException)
        {
            // Content-addressed: the same name holds the same bytes unless it was damaged, which check reports.
        }
    }

    /// <summary>The file id that ends a blob name (<c>packs/ab/&lt;id&gt;</c>, <c>wal/&lt;walfile&gt;.full.&lt;id&gt;</c>).</summary>
    public static ChunkId FileIdOfName(string name) => FileIdOf(name);

    internal static ChunkId FileIdOf(string name)
    {
        var last = name[(name.LastIndexOf('/') + 1)..];
        var dot = last.LastIndexOf('.');
        return ChunkId.TryParse(dot < 0 ? last : last[(dot + 1)..], out var id)
            ? id
            : throw new RepositoryCorruptionException(CorruptionCause.Unknown, name, null, "file name is not a 64-digit hex id");
    }

    internal static T Decode<TInput, T>(string name, TInput body, Func<TInput, T> decode)
    {
        try
        {
            return decode(body);
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, name, null, e.Message, e);
        }
    }

    private static async Task<byte[]> UnlockAsync(IBlobStore store, RepositoryConfig config, List<string> keyFiles, string? passphrase,
        CancellationToken cancellationToken)
    {
        if (keyFiles.Count == 0)
            throw new RepositoryObjectMissingException("keys/", detail: "the repository is encrypted but has no key file");
        if (passphrase is null)
            throw new WrongPassphraseException(keyFiles.Count);
        foreach (var name in keyFiles)
        {
            var bytes = await store.GetAsync(name, cancellationToken).ConfigureAwait(false);
            if (ChunkHasher.FileId(bytes) != FileIdOf(name))
                throw new RepositoryCorruptionException(CorruptionCause.StorageDamage, name, null, "key file does not hash to its name");
            try
            {
                var body = ObjectEnvelope.Decode(name, bytes, ObjectType.Key, null);
                if (KeyFile.TryOpen(body, passphrase, config.RepositoryId) is { } masterKey)
                    return masterKey;
            }
            catch (InvalidDataException e)
            {
                throw new RepositoryCorruptionException(CorruptionCause.WriterBug, name, null, e.Message, e);
            }
        }
        throw new WrongPassphraseException(keyFiles.Count);
    }
}
