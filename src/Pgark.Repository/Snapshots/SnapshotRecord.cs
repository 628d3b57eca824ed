using Pgark.Repository.Binary;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Snapshots;

/// <summary>An attached document (e.g. backup_manifest) stored as Data chunks.</summary>
public sealed record DocumentRef(string Name, long Size, IReadOnlyList<ChunkId> Chunks);

/// <summary>What a backup says about itself; the caller fills this in and the session adds the tree and documents.</summary>
public sealed record SnapshotMetadata(
    SnapshotKind Kind,
    ulong SystemIdentifier,
    int PgVersion,
    uint Timeline,
    ulong StartLsn,
    ulong EndLsn,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    string Label,
    string Hostname,
    ChunkId ParentSnapshotId = default);

/// <summary>
/// A snapshot (spec §11), identified by its file id. Body: Kind u8, reserved (3), SystemIdentifier u64, PgVersion u32,
/// Timeline u32, StartLsn u64, EndLsn u64, StartTime i64, EndTime i64, ParentSnapshotId (32), Label, Hostname,
/// TreeRecordCount u64, TreePlainBytes u64, TreeChunkCount u32 + ids, DocumentCount u32 + documents.
/// </summary>
public sealed record SnapshotRecord(
    SnapshotMetadata Metadata,
    long TreeRecordCount,
    long TreePlainBytes,
    IReadOnlyList<ChunkId> TreeChunks,
    IReadOnlyList<DocumentRef> Documents)
{
    public const string Directory = "snapshots/";

    public static string FileName(ChunkId id) => Directory + id;

    public byte[] EncodeBody()
    {
        var m = Metadata;
        var w = new ByteWriter(256 + TreeChunks.Count * 32);
        w.U8((byte)m.Kind);
        w.Zeros(3);
        w.U64(m.SystemIdentifier);
        w.U32((uint)m.PgVersion);
        w.U32(m.Timeline);
        w.U64(m.StartLsn);
        w.U64(m.EndLsn);
        w.I64(TreeRecordCodec.ToMicroseconds(m.StartTime));
        w.I64(TreeRecordCodec.ToMicroseconds(m.EndTime));
        WriteId(w, m.ParentSnapshotId);
        w.String(m.Label);
        w.String(m.Hostname);
        w.U64((ulong)TreeRecordCount);
        w.U64((ulong)TreePlainBytes);
        w.U32((uint)TreeChunks.Count);
        foreach (var id in TreeChunks)
            WriteId(w, id);
        w.U32((uint)Documents.Count);
        foreach (var document in Documents)
        {
            w.String(document.Name);
            w.U64((ulong)document.Size);
            w.U32((uint)document.Chunks.Count);
            foreach (var id in document.Chunks)
                WriteId(w, id);
        }
        return w.ToArray();
    }

    public static SnapshotRecord DecodeBody(ReadOnlySpan<byte> body)
    {
        var r = new ByteReader(body);
        var kind = (SnapshotKind)r.U8("SnapshotKind");
        if (kind is < SnapshotKind.Physical or > SnapshotKind.Logical)
            throw new InvalidDataException($"unknown snapshot kind {(byte)kind}");
        r.Reserved(3, "snapshot reserved");
        var metadata = new SnapshotMetadata(kind, r.U64("SystemIdentifier"), (int)r.U32("PgVersion"), r.U32("Timeline"),
            r.U64("StartLsn"), r.U64("EndLsn"), TreeRecordCodec.FromMicroseconds(r.I64("StartTime")),
            TreeRecordCodec.FromMicroseconds(r.I64("EndTime")), ParentSnapshotId: new ChunkId(r.Bytes(32, "ParentSnapshotId")),
            Label: r.String("Label", 65536), Hostname: r.String("Hostname", 1024));
        var records = (long)r.U64("TreeRecordCount");
        var plainBytes = (long)r.U64("TreePlainBytes");
        var tree = ReadIds(ref r, "TreeChunkCount");
        var documentCount = r.U32("DocumentCount");
        if (documentCount > 65536)
            throw new InvalidDataException($"DocumentCount {documentCount} is implausible");
        var documents = new DocumentRef[documentCount];
        for (var i = 0; i < documents.Length; i++)
            documents[i] = new DocumentRef(r.String("document Name", 4096), (long)r.U64("document Size"), ReadIds(ref r, "document ChunkCount"));
        r.ExpectEnd("snapshot");
        return new SnapshotRecord(metadata, records, plainBytes, tree, documents);
    }

    private static ChunkId[] ReadIds(ref ByteReader r, string countField)
    {
        var count = r.U32(countField);
        if ((long)count * 32 > r.Remaining)
            throw new InvalidDataException($"{countField} {count} exceeds the remaining {r.Remaining} bytes");
        var ids = new ChunkId[count];
        for (var i = 0; i < ids.Length; i++)
            ids[i] = new ChunkId(r.Bytes(32, "id"));
        return ids;
    }

    private static void WriteId(ByteWriter w, ChunkId id)
    {
        Span<byte> bytes = stackalloc byte[32];
        id.WriteTo(bytes);
        w.Bytes(bytes);
    }
}

/// <summary>A listed snapshot: its id and record.</summary>
public sealed record SnapshotInfo(ChunkId Id, SnapshotRecord Record)
{
    public string ShortId => Id.ToString()[..8];
}
