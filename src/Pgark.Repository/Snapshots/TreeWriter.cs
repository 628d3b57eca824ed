using Pgark.Repository.Binary;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Snapshots;

/// <summary>
/// Serializes files in canonical order into tree records and cuts the stream into Tree chunks at content-defined record
/// boundaries (spec §7.2), handing each finished chunk to <c>emit</c>. Holds one chunk (≤ 1.25 MiB) at a time.
/// </summary>
internal sealed class TreeWriter
{
    private readonly ChunkHasher _hasher;
    private readonly Func<byte[], ValueTask<ChunkId>> _emit;
    private readonly List<ChunkId> _chunks = [];
    private ByteWriter _current = new(FormatConstants.TreeCutMaximum);
    private string? _lastPath;

    public TreeWriter(ChunkHasher hasher, Func<byte[], ValueTask<ChunkId>> emit)
    {
        _hasher = hasher;
        _emit = emit;
    }

    public long RecordCount { get; private set; }
    public long PlainBytes { get; private set; }

    public async ValueTask AddAsync(FileEntry file, IReadOnlyList<ChunkRef> chunks, IReadOnlyList<ExtentRef> extents)
    {
        Validate(file, chunks, extents);
        await AppendAsync(w => TreeRecordCodec.WriteFile(w, file)).ConfigureAwait(false);
        var chunkArray = chunks as ChunkRef[] ?? chunks.ToArray();
        for (var first = 0; first < chunkArray.Length; first += FormatConstants.MaxChunksPerRecord)
        {
            var start = first;
            var count = Math.Min(FormatConstants.MaxChunksPerRecord, chunkArray.Length - first);
            await AppendAsync(w => TreeRecordCodec.WriteChunks(w, start, chunkArray.AsSpan(start, count))).ConfigureAwait(false);
        }
        var extentArray = extents as ExtentRef[] ?? extents.ToArray();
        for (var first = 0; first < extentArray.Length; first += FormatConstants.MaxExtentsPerRecord)
        {
            var start = first;
            var count = Math.Min(FormatConstants.MaxExtentsPerRecord, extentArray.Length - first);
            await AppendAsync(w => TreeRecordCodec.WriteExtents(w, start, file.PagesPerExtent, extentArray.AsSpan(start, count))).ConfigureAwait(false);
        }
    }

    /// <summary>Emits the last partial chunk and returns the tree chunk ids in stream order.</summary>
    public async ValueTask<IReadOnlyList<ChunkId>> FinishAsync()
    {
        if (_current.Length > 0)
            await CutAsync().ConfigureAwait(false);
        return _chunks;
    }

    private async ValueTask AppendAsync(Action<ByteWriter> write)
    {
        var record = new ByteWriter();
        write(record);
        _current.Bytes(record.Written);
        RecordCount++;
        PlainBytes += record.Length;
        var cut = _current.Length >= FormatConstants.TreeCutMaximum
                  || (_current.Length >= FormatConstants.TreeCutMinimum && (_hasher.CutHash(record.Written) & FormatConstants.TreeCutMask) == 0);
        if (cut)
            await CutAsync().ConfigureAwait(false);
    }

    private async ValueTask CutAsync()
    {
        _chunks.Add(await _emit(_current.ToArray()).ConfigureAwait(false));
        _current = new ByteWriter(FormatConstants.TreeCutMaximum);
    }

    private void Validate(FileEntry file, IReadOnlyList<ChunkRef> chunks, IReadOnlyList<ExtentRef> extents)
    {
        try
        {
            TreeRecordCodec.ValidatePath(file.Path);
            if (file.Layout == FileLayout.Paged)
                TreeRecordCodec.ValidatePaged(file.Path, (uint)file.PageSize, (uint)file.ExtentSize);
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException(e.Message, nameof(file));
        }
        if (_lastPath is not null && string.CompareOrdinal(_lastPath, file.Path) >= 0)
            throw new ArgumentException($"tree paths must be added in ascending ordinal order without repeats: '{file.Path}' after '{_lastPath}'");
        _lastPath = file.Path;
        if (file.Layout == FileLayout.Paged)
        {
            if (chunks.Count != 0 || extents.Count != file.ExtentCount)
                throw new ArgumentException($"paged file '{file.Path}' of {file.Size} bytes needs {file.ExtentCount} extents, got {extents.Count}");
        }
        else
        {
            if (extents.Count != 0 || (file.Kind != FileKind.Regular && chunks.Count != 0))
                throw new ArgumentException($"file '{file.Path}' has content references its layout does not allow");
            if (chunks.Sum(c => (long)c.PlainLength) != file.Size)
                throw new ArgumentException($"chunks of '{file.Path}' add up to {chunks.Sum(c => (long)c.PlainLength)} bytes, the file has {file.Size}");
        }
    }
}
