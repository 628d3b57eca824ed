using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Snapshots;

/// <summary>The metadata of one file in a snapshot's tree (spec §7.3, record type File).</summary>
public sealed record FileEntry(
    string Path,
    FileKind Kind,
    FileLayout Layout,
    uint Mode,
    long Size,
    DateTimeOffset ModifiedTime,
    int PageSize = 0,
    int ExtentSize = 0,
    string LinkTarget = "")
{
    public static FileEntry Regular(string path, long size, DateTimeOffset modified, uint mode = 0x81A0 /* 0100640 */)
        => new(path, FileKind.Regular, FileLayout.Chunked, mode, size, modified);

    public static FileEntry Paged(string path, long size, DateTimeOffset modified, uint mode = 0x8180 /* 0100600 */,
        int pageSize = FormatConstants.DefaultPageSize, int extentSize = FormatConstants.DefaultExtentSize)
        => new(path, FileKind.Regular, FileLayout.Paged, mode, size, modified, pageSize, extentSize);

    public static FileEntry Directory(string path, DateTimeOffset modified, uint mode = 0x41C0 /* 040700 */)
        => new(path, FileKind.Directory, FileLayout.Chunked, mode, 0, modified);

    public static FileEntry Symlink(string path, string target, DateTimeOffset modified)
        => new(path, FileKind.Symlink, FileLayout.Chunked, 0xA1FF, 0, modified, LinkTarget: target);

    public int PagesPerExtent => Layout == FileLayout.Paged ? ExtentSize / PageSize : 0;

    public long ExtentCount => Layout == FileLayout.Paged ? (Size + ExtentSize - 1) / ExtentSize : 0;

    /// <summary>Bytes of extent <paramref name="index"/> of a paged file: <see cref="ExtentSize"/>, less for a short last one.</summary>
    public int ExtentLength(long index) => (int)Math.Min(ExtentSize, Size - index * ExtentSize);
}

/// <summary>One chunk of a chunked file: id and plaintext length.</summary>
public readonly record struct ChunkRef(ChunkId Id, uint PlainLength);

/// <summary>
/// One extent of a paged file: the object to read (a Data chunk or a PageDelta), how many deltas deep it is (0 = Data),
/// and the page hashes a later backup compares against, of the kind the tree record gave them (spec §7.4).
/// </summary>
public sealed record ExtentRef(ChunkId ObjectId, int DeltaDepth, ulong[] PageHashes, PageHashKind PageHashKind = PageHashKind.Subtree);

/// <summary>How an extent's page hashes were computed (spec §7.4); a backup compares only hashes of the kind it computes.</summary>
public enum PageHashKind
{
    /// <summary>The page's BLAKE3 subtree chaining value at its place in the extent: tree records of type PagedExtents.</summary>
    Subtree,

    /// <summary>The chunk id of the page alone: tree records of type Extents, written by earlier versions.</summary>
    Content,
}

/// <summary>A file of a tree with its content references, as the tree reader yields it.</summary>
public sealed record TreeFile(FileEntry Entry, IReadOnlyList<ChunkRef> Chunks, IReadOnlyList<ExtentRef> Extents);
