using Pgark.Repository.Binary;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Snapshots;

/// <summary>
/// Tree records (spec §7.3): u8 RecordType, u32 PayloadLength, payload.
/// File: Path string, FileKind u8, FileLayout u8, reserved u16, Mode u32, Size u64, MTime i64, PageSize u32, ExtentSize u32, LinkTarget string.
/// Chunks: FirstIndex u32, Count u32, Count × (id, PlainLength u32).
/// Extents: FirstExtent u32, Count u16, PagesPerExtent u16, Count × (id, DeltaDepth u16, reserved u16, PagesPerExtent × u64 page hash).
/// </summary>
internal static class TreeRecordCodec
{
    public const int RecordHeaderSize = 5;

    public static void WriteFile(ByteWriter writer, FileEntry file)
    {
        var payload = new ByteWriter();
        payload.String(file.Path);
        payload.U8((byte)file.Kind);
        payload.U8((byte)file.Layout);
        payload.U16(0);
        payload.U32(file.Mode);
        payload.U64((ulong)file.Size);
        payload.I64(ToMicroseconds(file.ModifiedTime));
        payload.U32((uint)file.PageSize);
        payload.U32((uint)file.ExtentSize);
        payload.String(file.LinkTarget);
        Frame(writer, TreeRecordType.File, payload);
    }

    public static void WriteChunks(ByteWriter writer, int firstIndex, ReadOnlySpan<ChunkRef> chunks)
    {
        var payload = new ByteWriter(8 + chunks.Length * 36);
        payload.U32((uint)firstIndex);
        payload.U32((uint)chunks.Length);
        Span<byte> id = stackalloc byte[ChunkId.Size];
        foreach (var chunk in chunks)
        {
            chunk.Id.WriteTo(id);
            payload.Bytes(id);
            payload.U32(chunk.PlainLength);
        }
        Frame(writer, TreeRecordType.Chunks, payload);
    }

    public static void WriteExtents(ByteWriter writer, int firstExtent, int pagesPerExtent, ReadOnlySpan<ExtentRef> extents)
    {
        // One record holds one kind of page hashes; a writer computes only subtree hashes (the Extents type is read only).
        var kind = extents.IsEmpty ? PageHashKind.Subtree : extents[0].PageHashKind;
        var payload = new ByteWriter(8 + extents.Length * (36 + 8 * pagesPerExtent));
        payload.U32((uint)firstExtent);
        payload.U16((ushort)extents.Length);
        payload.U16((ushort)pagesPerExtent);
        Span<byte> id = stackalloc byte[ChunkId.Size];
        foreach (var extent in extents)
        {
            if (extent.PageHashes.Length != pagesPerExtent)
                throw new ArgumentException($"extent has {extent.PageHashes.Length} page hashes, the file has {pagesPerExtent} pages per extent");
            if (extent.PageHashKind != kind)
                throw new ArgumentException("one Extents record cannot mix page hash kinds");
            extent.ObjectId.WriteTo(id);
            payload.Bytes(id);
            payload.U16((ushort)extent.DeltaDepth);
            payload.U16(0);
            foreach (var hash in extent.PageHashes)
                payload.U64(hash);
        }
        Frame(writer, kind == PageHashKind.Content ? TreeRecordType.Extents : TreeRecordType.PagedExtents, payload);
    }

    public static (TreeRecordType Type, int Length) ReadHeader(ref ByteReader reader)
    {
        var type = (TreeRecordType)reader.U8("RecordType");
        var length = reader.U32("PayloadLength");
        if (length > FormatConstants.MaxTreeRecord)
            throw new InvalidDataException($"tree record of {length} bytes exceeds the {FormatConstants.MaxTreeRecord}-byte limit");
        return (type, (int)length);
    }

    public static FileEntry ReadFile(ReadOnlySpan<byte> payload)
    {
        var reader = new ByteReader(payload);
        var path = reader.String("Path", 4096);
        var kind = (FileKind)reader.U8("FileKind");
        var layout = (FileLayout)reader.U8("Layout");
        reader.Reserved(2, "File reserved");
        var mode = reader.U32("Mode");
        var size = reader.U64("Size");
        var mtime = reader.I64("MTime");
        var pageSize = reader.U32("PageSize");
        var extentSize = reader.U32("ExtentSize");
        var link = reader.String("LinkTarget", 4096);
        reader.ExpectEnd("File record");
        if (kind is < FileKind.Regular or > FileKind.Symlink || layout is < FileLayout.Chunked or > FileLayout.Paged)
            throw new InvalidDataException($"file '{path}' has unknown kind {(byte)kind} or layout {(byte)layout}");
        if (size > long.MaxValue)
            throw new InvalidDataException($"file '{path}' size {size} is out of range");
        if (layout == FileLayout.Paged)
            ValidatePaged(path, pageSize, extentSize);
        ValidatePath(path);
        return new FileEntry(path, kind, layout, mode, (long)size, FromMicroseconds(mtime), (int)pageSize, (int)extentSize, link);
    }

    public static (int FirstIndex, ChunkRef[] Chunks) ReadChunks(ReadOnlySpan<byte> payload)
    {
        var reader = new ByteReader(payload);
        var first = reader.U32("FirstIndex");
        var count = reader.U32("Count");
        if (count is 0 or > FormatConstants.MaxChunksPerRecord)
            throw new InvalidDataException($"Chunks record count {count} is outside 1..{FormatConstants.MaxChunksPerRecord}");
        var chunks = new ChunkRef[count];
        for (var i = 0; i < chunks.Length; i++)
            chunks[i] = new ChunkRef(new ChunkId(reader.Bytes(ChunkId.Size, "ChunkId")), reader.U32("PlainLength"));
        reader.ExpectEnd("Chunks record");
        return ((int)first, chunks);
    }

    public static (int FirstExtent, int PagesPerExtent, ExtentRef[] Extents) ReadExtents(ReadOnlySpan<byte> payload, PageHashKind kind)
    {
        var reader = new ByteReader(payload);
        var first = reader.U32("FirstExtent");
        var count = reader.U16("Count");
        var pages = reader.U16("PagesPerExtent");
        if (count is 0 or > FormatConstants.MaxExtentsPerRecord || pages == 0)
            throw new InvalidDataException($"Extents record count {count} or pages per extent {pages} is out of range");
        var extents = new ExtentRef[count];
        for (var i = 0; i < extents.Length; i++)
        {
            var id = new ChunkId(reader.Bytes(ChunkId.Size, "ObjectId"));
            var depth = reader.U16("DeltaDepth");
            reader.Reserved(2, "extent reserved");
            var hashes = new ulong[pages];
            for (var p = 0; p < hashes.Length; p++)
                hashes[p] = reader.U64("page hash");
            extents[i] = new ExtentRef(id, depth, hashes, kind);
        }
        reader.ExpectEnd("Extents record");
        return ((int)first, pages, extents);
    }

    internal static void ValidatePaged(string path, uint pageSize, uint extentSize)
    {
        if (pageSize < 1024 || pageSize > 65536 || !uint.IsPow2(pageSize) || extentSize < 8192 || extentSize > 4 << 20
            || !uint.IsPow2(extentSize) || extentSize < pageSize)
            throw new InvalidDataException($"paged file '{path}' has page size {pageSize} and extent size {extentSize}, outside the allowed values");
    }

    internal static void ValidatePath(string path)
    {
        if (path.Length == 0 || path.Contains('\0') || path.Split('/').Any(s => s is "" or "." or ".."))
            throw new InvalidDataException($"tree path '{path}' is not a clean relative path");
    }

    internal static long ToMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    internal static DateTimeOffset FromMicroseconds(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    private static void Frame(ByteWriter writer, TreeRecordType type, ByteWriter payload)
    {
        if (payload.Length > FormatConstants.MaxTreeRecord)
            throw new ArgumentException($"tree record of {payload.Length} bytes exceeds the limit");
        writer.U8((byte)type);
        writer.U32((uint)payload.Length);
        writer.Bytes(payload.Written);
    }
}
