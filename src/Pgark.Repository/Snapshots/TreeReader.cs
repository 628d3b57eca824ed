using Pgark.Repository.Binary;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Snapshots;

/// <summary>
/// Streams a tree back as <see cref="TreeFile"/>s, loading one tree chunk at a time; checks the canonical order and that
/// each file's continuation records cover its content exactly once (spec §7.3).
/// </summary>
internal static class TreeReader
{
    public static async IAsyncEnumerable<TreeFile> ReadAsync(IReadOnlyList<ChunkId> treeChunks, Func<ChunkId, ValueTask<byte[]>> loadChunk)
    {
        FileEntry? file = null;
        var chunks = new List<ChunkRef>();
        var extents = new List<ExtentRef>();
        string? lastPath = null;
        foreach (var chunkId in treeChunks)
        {
            var bytes = await loadChunk(chunkId).ConfigureAwait(false);
            var records = ParseRecords(bytes, chunkId);
            foreach (var (type, payload) in records)
            {
                if (type == TreeRecordType.File && file is not null)
                    yield return Complete(file, chunks, extents);
                try
                {
                    switch (type)
                    {
                        case TreeRecordType.File:
                            file = TreeRecordCodec.ReadFile(payload);
                            if (lastPath is not null && string.CompareOrdinal(lastPath, file.Path) >= 0)
                                throw new InvalidDataException($"tree path '{file.Path}' is out of order after '{lastPath}'");
                            lastPath = file.Path;
                            chunks = [];
                            extents = [];
                            break;
                        case TreeRecordType.Chunks:
                            var (firstChunk, refs) = TreeRecordCodec.ReadChunks(payload);
                            if (file is null || file.Layout != FileLayout.Chunked || firstChunk != chunks.Count)
                                throw new InvalidDataException($"Chunks record at index {firstChunk} does not continue '{file?.Path}'");
                            chunks.AddRange(refs);
                            break;
                        case TreeRecordType.Extents or TreeRecordType.PagedExtents:
                            var (firstExtent, pages, refs2) = TreeRecordCodec.ReadExtents(payload,
                                type == TreeRecordType.Extents ? PageHashKind.Content : PageHashKind.Subtree);
                            if (file is null || file.Layout != FileLayout.Paged || firstExtent != extents.Count || pages != file.PagesPerExtent)
                                throw new InvalidDataException($"Extents record at extent {firstExtent} does not continue '{file?.Path}'");
                            extents.AddRange(refs2);
                            break;
                        default:
                            throw new InvalidDataException($"unknown tree record type {(byte)type}");
                    }
                }
                catch (InvalidDataException e)
                {
                    throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "tree", chunkId.ToString(), e.Message, e);
                }
            }
        }
        if (file is not null)
            yield return Complete(file, chunks, extents);
    }

    private static List<(TreeRecordType, byte[])> ParseRecords(byte[] bytes, ChunkId chunkId)
    {
        var records = new List<(TreeRecordType, byte[])>();
        try
        {
            var reader = new ByteReader(bytes);
            while (reader.Remaining > 0)
            {
                var (type, length) = TreeRecordCodec.ReadHeader(ref reader);
                records.Add((type, reader.Bytes(length, "record payload").ToArray()));
            }
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "tree", chunkId.ToString(), e.Message, e);
        }
        return records;
    }

    private static TreeFile Complete(FileEntry file, List<ChunkRef> chunks, List<ExtentRef> extents)
    {
        var expectedBytes = file.Layout == FileLayout.Chunked ? chunks.Sum(c => (long)c.PlainLength) : file.Size;
        if (expectedBytes != file.Size || (file.Layout == FileLayout.Paged && extents.Count != file.ExtentCount))
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "tree", null,
                $"content references of '{file.Path}' do not cover its {file.Size} bytes");
        return new TreeFile(file, chunks, extents);
    }
}
