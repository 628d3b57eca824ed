using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository.Check;

/// <summary>
/// <c>pgark check</c> (spec §12): index deltas, packs against the index, snapshots and everything they reach; with
/// <c>readData</c> every pack is hashed and every chunk decoded and re-hashed. Problems are collected, not thrown, and each
/// names the file and object.
/// </summary>
internal sealed class RepositoryChecker
{
    private readonly Repository _repository;
    private readonly CheckReport _report = new();
    private readonly Dictionary<ChunkId, List<PackEntry>> _indexedByPack = [];
    private readonly HashSet<ChunkId> _checkedDeltaBases = [];
    private readonly HashSet<ChunkId> _damagedChunks = [];
    private readonly CheckScope _scope;
    private readonly IProgress<CheckProgress>? _progress;

    public RepositoryChecker(Repository repository, CheckScope? scope = null, IProgress<CheckProgress>? progress = null)
    {
        _repository = repository;
        _scope = scope ?? CheckScope.Everything;
        _progress = progress;
    }

    public async Task<CheckReport> RunAsync(bool readData, CancellationToken cancellationToken)
    {
        if (_repository.SettingsError is { } settingsError)
            _report.Add(settingsError, Config.StorageSettingsRecord.Directory);
        await CheckIndexDeltasAsync(cancellationToken).ConfigureAwait(false);
        var packs = await ListPacksAsync(cancellationToken).ConfigureAwait(false);
        await CheckPacksAsync(packs, readData, cancellationToken).ConfigureAwait(false);
        await CheckSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        await CheckWalAsync(readData, cancellationToken).ConfigureAwait(false);
        return _report;
    }

    private async Task CheckWalAsync(bool readData, CancellationToken cancellationToken)
    {
        var objects = await _repository.Wal.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        // Segment names repeat across clusters; the legacy namespace is one cluster's (spec §8.2).
        var legacy = await _repository.Wal.LegacySystemIdentifierAsync(cancellationToken).ConfigureAwait(false);
        foreach (var conflict in objects.Where(o => o.Kind == WalKind.Full).GroupBy(o => (o.SystemIdentifier ?? legacy, o.WalFileName)).Where(g => g.Count() > 1))
            _report.Add(new CheckProblem(CheckSeverity.Error, conflict.First().FileName, null,
                $"{conflict.Count()} different complete objects for WAL segment {conflict.Key.WalFileName}"));
        if (!readData)
            return;
        foreach (var walObject in objects)
        {
            var fileId = Repository.FileIdOf(walObject.FileName);
            if (!_scope.ReadWal(fileId))
                continue;
            try
            {
                var content = await _repository.Wal.ReadAsync(walObject, cancellationToken).ConfigureAwait(false);
                _report.WalVerified.Add(fileId);
                if (walObject is { SystemIdentifier: { } directory, Kind: not WalKind.History, PieceStart: 0 }
                    && Pgark.Repository.Wal.WalArchive.SystemIdentifierOf(content) is { } holds && holds != directory)
                {
                    _report.Add(new CheckProblem(CheckSeverity.Error, walObject.FileName, null,
                        $"WAL {walObject.WalFileName} in the directory of system {directory:X16} holds WAL of system {holds:X16}"));
                }
            }
            catch (RepositoryException e)
            {
                _report.Add(e, walObject.FileName);
            }
        }
    }

    private async Task CheckIndexDeltasAsync(CancellationToken cancellationToken)
    {
        var superseded = new HashSet<ChunkId>();
        var deltas = new List<(ChunkId, IndexDelta)>();
        await foreach (var info in _repository.Store.ListAsync(IndexDelta.Directory, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var body = await _repository.LoadObjectAsync(info.Name, ObjectType.Index, cancellationToken).ConfigureAwait(false);
                var delta = Repository.Decode(info.Name, body, b => IndexDelta.DecodeBody(b));
                deltas.Add((Repository.FileIdOf(info.Name), delta));
                superseded.UnionWith(delta.Supersedes);
            }
            catch (RepositoryException e)
            {
                _report.Add(e, info.Name);
            }
        }
        foreach (var (_, delta) in deltas.Where(d => !superseded.Contains(d.Item1)))
        {
            foreach (var (ordinal, entry) in delta.Entries)
            {
                var pack = delta.Packs[ordinal];
                if (!_indexedByPack.TryGetValue(pack, out var list))
                    _indexedByPack[pack] = list = [];
                if (!list.Contains(entry))
                    list.Add(entry);
            }
        }
    }

    private async Task<Dictionary<ChunkId, long>> ListPacksAsync(CancellationToken cancellationToken)
    {
        var packs = new Dictionary<ChunkId, long>();
        await foreach (var info in _repository.Store.ListAsync(PackLayout.Directory, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                packs[Repository.FileIdOf(info.Name)] = info.Length;
            }
            catch (RepositoryCorruptionException e)
            {
                _report.Add(new CheckProblem(CheckSeverity.Warning, info.Name, null, e.Problem));
            }
        }
        return packs;
    }

    private async Task CheckPacksAsync(Dictionary<ChunkId, long> packs, bool readData, CancellationToken cancellationToken)
    {
        // The scope is asked once per pack (verify's counts its answers), up front so progress knows the bytes to read.
        var readWhole = readData ? _indexedByPack.Keys.Where(p => packs.ContainsKey(p) && _scope.ReadPack(p)).ToHashSet() : [];
        var (done, read, toRead) = (0, 0L, readWhole.Sum(p => packs[p]));
        foreach (var (packId, entries) in _indexedByPack)
        {
            _progress?.Report(new CheckProgress(done++, _indexedByPack.Count, read, toRead));
            var name = PackLayout.FileName(packId);
            if (!packs.TryGetValue(packId, out var length))
            {
                _report.Add(new CheckProblem(CheckSeverity.Error, name, null,
                    $"pack is missing but the index lists {entries.Count} chunk(s) in it"));
                continue;
            }
            _report.PacksChecked++;
            var readThis = readWhole.Contains(packId);
            read += readThis ? length : 0;
            try
            {
                var header = await ReadHeaderAsync(name, packId, length, readThis, cancellationToken).ConfigureAwait(false);
                var inHeader = header.ToHashSet();
                foreach (var entry in entries.Where(e => !inHeader.Contains(e)))
                    _report.Add(new CheckProblem(CheckSeverity.Error, name, entry.Id.ToString(),
                        "index entry does not match the pack header", CorruptionCause.WriterBug));
                if (readThis && await ReadChunksAsync(name, packId, header, cancellationToken).ConfigureAwait(false))
                    _report.PacksVerified.Add(packId);
            }
            catch (RepositoryCorruptionException e) when (readThis && _scope.LocateDamage && e.Cause == CorruptionCause.StorageDamage)
            {
                _report.Add(e, name);
                await LocateDamageAsync(name, packId, length, cancellationToken).ConfigureAwait(false);
            }
            catch (RepositoryException e)
            {
                _report.Add(e, name);
            }
        }
        _progress?.Report(new CheckProgress(done, _indexedByPack.Count, read, toRead));
        foreach (var packId in packs.Keys.Where(p => !_indexedByPack.ContainsKey(p)))
            _report.Add(new CheckProblem(CheckSeverity.Warning, PackLayout.FileName(packId), null,
                "pack is not referenced by any index delta (left by an interrupted writer; prune removes it)"));
    }

    /// <summary>The pack's bytes changed at rest: decode each chunk on its own to name the damaged ones.</summary>
    private async Task LocateDamageAsync(string name, ChunkId packId, long length, CancellationToken cancellationToken)
    {
        try
        {
            var header = await ReadHeaderAsync(name, packId, length, readData: false, cancellationToken).ConfigureAwait(false);
            await ReadChunksAsync(name, packId, header, cancellationToken).ConfigureAwait(false);
        }
        catch (RepositoryException)
        {
            // The header itself is damaged: every chunk of the pack is lost to it.
            foreach (var entry in _indexedByPack[packId])
                _damagedChunks.Add(entry.Id);
        }
    }

    private async Task<PackEntry[]> ReadHeaderAsync(string name, ChunkId packId, long length, bool readData, CancellationToken cancellationToken)
    {
        byte[] bytes;
        if (readData)
        {
            bytes = await _repository.Store.GetAsync(name, cancellationToken).ConfigureAwait(false);
            var actual = ChunkHasher.FileId(bytes);
            if (actual != packId)
                throw new RepositoryCorruptionException(CorruptionCause.StorageDamage, name, null,
                    $"pack content hashes to {actual.ToShortString()}, not to its name");
        }
        else
        {
            bytes = await ReadTailAsync(name, length, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            var headerLength = PackHeaderCodec.ParseTrailer(bytes.AsSpan(bytes.Length - PackLayout.TrailerSize), length);
            var headerStart = bytes.Length - PackLayout.TrailerSize - headerLength;
            if (headerStart < 0)
            {
                bytes = await ReadRangeAsync(name, length - PackLayout.TrailerSize - headerLength, headerLength + PackLayout.TrailerSize,
                    cancellationToken).ConfigureAwait(false);
                headerStart = 0;
            }
            return PackHeaderCodec.ParseHeader(bytes.AsSpan(headerStart, headerLength), length - PackLayout.TrailerSize - headerLength, _repository.Box);
        }
        catch (InvalidDataException e)
        {
            var cause = readData ? CorruptionCause.WriterBug : await _repository.ClassifyPackAsync(name, packId, cancellationToken).ConfigureAwait(false);
            throw new RepositoryCorruptionException(cause, name, null, e.Message, e);
        }
    }

    /// <summary>Decodes and re-hashes every chunk; false when any failed (each failure is reported and remembered).</summary>
    private async Task<bool> ReadChunksAsync(string name, ChunkId packId, PackEntry[] header, CancellationToken cancellationToken)
    {
        var intact = true;
        foreach (var entry in header)
        {
            try
            {
                await _repository.ReadChunkAsync(new ChunkLocation(packId, entry), cancellationToken).ConfigureAwait(false);
                _report.ChunksRead++;
            }
            catch (RepositoryException e)
            {
                _report.Add(e, name);
                _damagedChunks.Add(entry.Id);
                intact = false;
            }
        }
        return intact;
    }

    private async Task CheckSnapshotsAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var info in _repository.Store.ListAsync(SnapshotRecord.Directory, cancellationToken).ConfigureAwait(false))
            names.Add(info.Name);
        foreach (var name in names)
        {
            if (!_scope.IncludeSnapshot(Repository.FileIdOf(name)))
                continue;
            try
            {
                var snapshot = await _repository.LoadSnapshotAsync(Repository.FileIdOf(name), cancellationToken).ConfigureAwait(false);
                await CheckSnapshotAsync(name, snapshot.Record, cancellationToken).ConfigureAwait(false);
                _report.SnapshotsChecked++;
            }
            catch (RepositoryException e)
            {
                _report.Add(e, name);
            }
        }
    }

    private async Task CheckSnapshotAsync(string name, SnapshotRecord snapshot, CancellationToken cancellationToken)
    {
        foreach (var id in snapshot.TreeChunks)
            RequireIndexed(name, id, "tree chunk");
        foreach (var document in snapshot.Documents)
            foreach (var id in document.Chunks)
                RequireIndexed(name, id, $"chunk of document '{document.Name}'");
        if (_report.Errors.Any(e => e.FileName == name))
            return;
        await foreach (var file in _repository.ReadTreeAsync(snapshot, cancellationToken).ConfigureAwait(false))
        {
            foreach (var chunk in file.Chunks)
                RequireIndexed(name, chunk.Id, $"chunk of '{file.Entry.Path}'");
            foreach (var extent in file.Extents)
                await CheckExtentObjectAsync(name, file.Entry.Path, extent.ObjectId, 0, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CheckExtentObjectAsync(string snapshotName, string path, ChunkId objectId, int depth, CancellationToken cancellationToken)
    {
        if (!RequireIndexed(snapshotName, objectId, $"extent object of '{path}'") || !_checkedDeltaBases.Add(objectId))
            return;
        _repository.Index.TryGet(objectId, out var location);
        if (location.Entry.Kind != ChunkKind.PageDelta)
            return;
        if (depth >= FormatConstants.MaxReaderDeltaDepth)
        {
            _report.Add(new CheckProblem(CheckSeverity.Error, snapshotName, objectId.ToString(), "page delta chain too deep", CorruptionCause.WriterBug));
            return;
        }
        try
        {
            var delta = await _repository.ReadChunkAsync(location, cancellationToken).ConfigureAwait(false);
            var (baseId, _) = PageDelta.ReadBase(delta);
            await CheckExtentObjectAsync(snapshotName, path, baseId, depth + 1, cancellationToken).ConfigureAwait(false);
        }
        catch (RepositoryException e)
        {
            _report.Add(e, location.PackFileName);
        }
        catch (InvalidDataException e)
        {
            _report.Add(new CheckProblem(CheckSeverity.Error, location.PackFileName, objectId.ToString(), e.Message, CorruptionCause.WriterBug));
        }
    }

    private bool RequireIndexed(string snapshotName, ChunkId id, string what)
    {
        if (_damagedChunks.Contains(id))
        {
            _report.Add(new CheckProblem(CheckSeverity.Error, snapshotName, id.ToString(), $"{what} is damaged (see the pack's error)"));
            return false;
        }
        if (_repository.Index.Contains(id))
            return true;
        _report.Add(new CheckProblem(CheckSeverity.Error, snapshotName, id.ToString(), $"{what} is not in the index"));
        return false;
    }

    private async Task<byte[]> ReadTailAsync(string name, long length, CancellationToken cancellationToken)
    {
        // One read usually covers trailer and header: 64 KiB holds ~1 300 entries.
        var tail = (int)Math.Min(length, 64 * 1024);
        if (length < PackLayout.TrailerSize)
            throw new RepositoryCorruptionException(CorruptionCause.StorageDamage, name, null, $"pack of {length} bytes is shorter than its trailer");
        return await ReadRangeAsync(name, length - tail, tail, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> ReadRangeAsync(string name, long offset, int count, CancellationToken cancellationToken)
    {
        var bytes = new byte[count];
        var read = await _repository.Store.ReadAsync(name, offset, bytes, cancellationToken).ConfigureAwait(false);
        return read == count ? bytes : throw new RepositoryCorruptionException(CorruptionCause.StorageDamage, name, null, "pack shrank while being read");
    }
}
