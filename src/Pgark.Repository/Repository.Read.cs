using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository;

public sealed partial class Repository
{
    /// <summary>Every snapshot, oldest first (by start time, then id).</summary>
    public async Task<IReadOnlyList<SnapshotInfo>> ListSnapshotsAsync(CancellationToken cancellationToken = default)
    {
        var snapshots = new List<SnapshotInfo>();
        await foreach (var info in Store.ListAsync(SnapshotRecord.Directory, cancellationToken).ConfigureAwait(false))
            snapshots.Add(await LoadSnapshotAsync(FileIdOf(info.Name), cancellationToken).ConfigureAwait(false));
        return snapshots.OrderBy(s => s.Record.Metadata.StartTime).ThenBy(s => s.Id).ToList();
    }

    /// <summary>The snapshot whose id starts with <paramref name="idPrefix"/> (at least 4 hex digits, unique).</summary>
    public async Task<SnapshotInfo> FindSnapshotAsync(string idPrefix, CancellationToken cancellationToken = default)
    {
        if (idPrefix.Length < 4 || !idPrefix.All(char.IsAsciiHexDigitLower))
            throw new ArgumentException($"snapshot id prefix '{idPrefix}' must be at least 4 lower-case hex digits", nameof(idPrefix));
        var matches = new List<string>();
        await foreach (var info in Store.ListAsync(SnapshotRecord.Directory + idPrefix, cancellationToken).ConfigureAwait(false))
            matches.Add(info.Name);
        return matches.Count switch
        {
            1 => await LoadSnapshotAsync(FileIdOf(matches[0]), cancellationToken).ConfigureAwait(false),
            0 => throw new RepositoryObjectMissingException(SnapshotRecord.Directory + idPrefix, detail: "no snapshot id starts with this prefix"),
            _ => throw new ArgumentException($"snapshot id prefix '{idPrefix}' is ambiguous: {matches.Count} snapshots match", nameof(idPrefix)),
        };
    }

    public async Task<SnapshotInfo> LoadSnapshotAsync(ChunkId id, CancellationToken cancellationToken = default)
    {
        var name = SnapshotRecord.FileName(id);
        var body = await LoadObjectAsync(name, ObjectType.Snapshot, cancellationToken).ConfigureAwait(false);
        return new SnapshotInfo(id, Decode(name, body, b => SnapshotRecord.DecodeBody(b)));
    }

    /// <summary>Streams the files of a snapshot in path order, one tree chunk in memory at a time.</summary>
    public IAsyncEnumerable<TreeFile> ReadTreeAsync(SnapshotRecord snapshot, CancellationToken cancellationToken = default)
        => TreeReader.ReadAsync(snapshot.TreeChunks, async id => await ReadChunkAsync(id, cancellationToken).ConfigureAwait(false));

    /// <summary>A cursor over a (parent) snapshot's tree for path-ordered lookups during a repeat backup.</summary>
    public TreeCursor OpenTreeCursor(SnapshotRecord snapshot, CancellationToken cancellationToken = default)
        => new(ReadTreeAsync(snapshot, cancellationToken));

    /// <summary>The plaintext of a chunk, verified against its id.</summary>
    public async Task<byte[]> ReadChunkAsync(ChunkId id, CancellationToken cancellationToken = default)
    {
        if (!Index.TryGet(id, out var location))
            throw new RepositoryObjectMissingException("index/", id.ToString(), "no index delta lists this chunk");
        return await ReadChunkAsync(location, cancellationToken).ConfigureAwait(false);
    }

    internal async Task<byte[]> ReadChunkAsync(ChunkLocation location, CancellationToken cancellationToken)
    {
        var entry = location.Entry;
        var stored = new byte[entry.StoredLength];
        var read = await Store.ReadAsync(location.PackFileName, entry.Offset, stored, cancellationToken).ConfigureAwait(false);
        try
        {
            if (read != stored.Length)
                throw new InvalidDataException($"pack ends {stored.Length - read} bytes before the end of the chunk");
            return Codec.DecodeVerified(stored, entry, Hasher);
        }
        catch (InvalidDataException e)
        {
            var cause = await ClassifyPackAsync(location.PackFileName, location.Pack, cancellationToken).ConfigureAwait(false);
            throw new RepositoryCorruptionException(cause, location.PackFileName, entry.Id.ToString(), e.Message, e);
        }
    }

    /// <summary>Hashes a whole pack to tell storage damage from a writer bug (spec §12).</summary>
    internal async Task<CorruptionCause> ClassifyPackAsync(string packFileName, ChunkId packId, CancellationToken cancellationToken)
    {
        try
        {
            var pack = await Store.GetAsync(packFileName, cancellationToken).ConfigureAwait(false);
            return ChunkHasher.FileId(pack) == packId ? CorruptionCause.WriterBug : CorruptionCause.StorageDamage;
        }
        catch (RepositoryException)
        {
            return CorruptionCause.Unknown;
        }
    }

    /// <summary>Reconstructs an extent of a paged file (resolving page deltas) and checks every page against its hash.</summary>
    public async Task<byte[]> ReadExtentAsync(FileEntry file, int extentIndex, ExtentRef extent, CancellationToken cancellationToken = default)
    {
        var bytes = await ResolveExtentObjectAsync(extent.ObjectId, 0, cancellationToken).ConfigureAwait(false);
        CheckReconstructed(file, extentIndex, extent, bytes.Length, file.ExtentLength(extentIndex), bytes);
        return bytes;
    }

    /// <summary>
    /// A reconstructed extent must have the length its place in the file gives (<paramref name="expectedLength"/>; the object
    /// rebuilt was <paramref name="length"/> bytes) and every page its hash (spec §7.4).
    /// </summary>
    private void CheckReconstructed(FileEntry file, int extentIndex, ExtentRef extent, int length, int expectedLength, ReadOnlySpan<byte> bytes)
    {
        if (length != expectedLength)
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "tree", extent.ObjectId.ToString(),
                $"extent {extentIndex} of '{file.Path}' reconstructs to {length} bytes, expected {expectedLength}");
        CheckPageHashes(file, extentIndex, extent, bytes);
    }

    /// <summary>Checks every page of a reconstructed extent against the hash the tree records for it (spec §7.4).</summary>
    private void CheckPageHashes(FileEntry file, int extentIndex, ExtentRef extent, ReadOnlySpan<byte> bytes)
    {
        var pages = (bytes.Length + file.PageSize - 1) / file.PageSize;
        Span<ulong> hashes = pages <= 256 ? stackalloc ulong[pages] : new ulong[pages];
        if (extent.PageHashKind == PageHashKind.Subtree)
            Hasher.ComputeExtent(bytes, file.PageSize, hashes);
        else
            Hasher.ContentPageHashes(bytes, file.PageSize, hashes);
        for (var page = 0; page < pages; page++)
        {
            if (hashes[page] != extent.PageHashes[page])
                throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "tree", extent.ObjectId.ToString(),
                    $"page {page} of extent {extentIndex} of '{file.Path}' does not match its page hash");
        }
    }

    private async Task<byte[]> ResolveExtentObjectAsync(ChunkId objectId, int depth, CancellationToken cancellationToken)
    {
        if (depth > FormatConstants.MaxReaderDeltaDepth)
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "index/", objectId.ToString(),
                $"page delta chain is deeper than {FormatConstants.MaxReaderDeltaDepth} (or a cycle)");
        if (!Index.TryGet(objectId, out var location))
            throw new RepositoryObjectMissingException("index/", objectId.ToString(), "extent object is not in the index");
        var plain = await ReadChunkAsync(location, cancellationToken).ConfigureAwait(false);
        if (location.Entry.Kind == ChunkKind.Data)
            return plain;
        if (location.Entry.Kind != ChunkKind.PageDelta)
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, location.PackFileName, objectId.ToString(),
                $"extent object is a {location.Entry.Kind} chunk");
        try
        {
            var (baseId, _) = PageDelta.ReadBase(plain);
            var baseBytes = await ResolveExtentObjectAsync(baseId, depth + 1, cancellationToken).ConfigureAwait(false);
            return PageDelta.Apply(plain, baseBytes);
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, location.PackFileName, objectId.ToString(), e.Message, e);
        }
    }

    /// <summary>Writes a regular file's content to <paramref name="destination"/>, reading ahead on the thread pool (<see cref="ReadFileAsync(TreeFile, int, CancellationToken)"/>).</summary>
    public async Task RestoreFileAsync(TreeFile file, Stream destination, CancellationToken cancellationToken = default)
    {
        await foreach (var piece in ReadFileAsync(file, Options.RestoreReadAhead, cancellationToken).ConfigureAwait(false))
            await destination.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The parsed header of a pack (for <c>pgark cat pack</c> and index repair), read with ranged gets.</summary>
    public async Task<IReadOnlyList<PackEntry>> ReadPackHeaderAsync(ChunkId packId, CancellationToken cancellationToken = default)
    {
        var name = PackLayout.FileName(packId);
        var info = await Store.StatAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new RepositoryObjectMissingException(name);
        var trailer = new byte[PackLayout.TrailerSize];
        try
        {
            if (info.Length < PackLayout.TrailerSize)
                throw new InvalidDataException($"pack of {info.Length} bytes is shorter than its trailer");
            await Store.ReadAsync(name, info.Length - PackLayout.TrailerSize, trailer, cancellationToken).ConfigureAwait(false);
            var headerLength = PackHeaderCodec.ParseTrailer(trailer, info.Length);
            var header = new byte[headerLength];
            var headerOffset = info.Length - PackLayout.TrailerSize - headerLength;
            await Store.ReadAsync(name, headerOffset, header, cancellationToken).ConfigureAwait(false);
            return PackHeaderCodec.ParseHeader(header, headerOffset, Box);
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(await ClassifyPackAsync(name, packId, cancellationToken).ConfigureAwait(false), name, null, e.Message, e);
        }
    }

    public async Task<byte[]> ReadDocumentAsync(DocumentRef document, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        foreach (var id in document.Chunks)
            buffer.Write(await ReadChunkAsync(id, cancellationToken).ConfigureAwait(false));
        return buffer.ToArray();
    }
}
