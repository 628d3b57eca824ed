using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Retention;

/// <summary>
/// An in-memory repository with 1 MiB WAL segments whose long page headers name the cluster, and physical snapshots that
/// look like pgark's: a few files, their WAL under pg_wal/, and a backup_manifest with correct SHA-256s and own checksum.
/// </summary>
internal sealed class SyntheticRepository
{
    public const int SegmentSize = 1 << 20;
    public const ulong SystemId = 7_301_234_567_890_123_456;
    public static readonly DateTimeOffset Day0 = new(2026, 11, 1, 6, 0, 0, TimeSpan.Zero);

    private SyntheticRepository(Pgark.Repository.Repository repository, MemoryStore store)
    {
        Repository = repository;
        Store = store;
        Wal = new WalStore(repository, SystemId);
    }

    public Pgark.Repository.Repository Repository { get; }
    public MemoryStore Store { get; }
    public WalStore Wal { get; }

    public static async Task<SyntheticRepository> CreateAsync()
    {
        var store = new MemoryStore();
        return new SyntheticRepository(await Pgark.Repository.Repository.InitAsync(store, new RepositoryInitOptions()), store);
    }

    /// <summary>Every file name in the store except lock files, in order.</summary>
    public async Task<string[]> NamesAsync()
    {
        var names = new List<string>();
        await foreach (var info in Store.ListAsync(""))
        {
            if (!info.Name.StartsWith("locks/", StringComparison.Ordinal))
                names.Add(info.Name);
        }
        return names.ToArray();
    }

    public static byte[] Segment(TimelineId timeline, ulong number, int length = SegmentSize, ulong systemId = SystemId)
    {
        var bytes = new byte[length];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0xD110);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(WalPageHeader.InfoOffset), WalPageHeader.LongHeaderFlag);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(WalPageHeader.TimelineOffset), timeline.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(WalPageHeader.PageAddressOffset), number * SegmentSize);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(WalPageHeader.SystemIdOffset), systemId);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(WalPageHeader.SegmentSizeOffset), SegmentSize);
        new Random((int)number).NextBytes(bytes.AsSpan(64, Math.Min(4096, length - 64)));
        return bytes;
    }

    /// <summary>Archives full segments <paramref name="first"/>..<paramref name="last"/> of a timeline.</summary>
    public async Task ArchiveAsync(uint timeline, ulong first, ulong last)
    {
        for (var n = first; n <= last; n++)
            await Wal.PutSegmentAsync(new TimelineId(timeline), n, SegmentSize, Segment(new TimelineId(timeline), n), partial: false);
    }

    public static Lsn At(ulong segment, int offset = 0x28) => Lsn.FromSegment(segment, offset, SegmentSize);

    /// <summary>A physical snapshot starting in segment <paramref name="startSegment"/> and ending one segment later.</summary>
    public async Task<SnapshotInfo> PhysicalAsync(DateTimeOffset start, ulong startSegment, uint timeline = 1, ulong systemId = SystemId,
        string label = "nightly", bool withManifest = true)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["PG_VERSION"] = "15\n"u8.ToArray(),
            ["base/1/1259"] = Encoding.UTF8.GetBytes(new string('x', 9000) + label + start.Ticks),
            ["global/pg_control"] = Encoding.UTF8.GetBytes("control " + start.Ticks),
        };
        await using var session = await Repository.BeginBackupAsync();
        foreach (var (path, content) in files)
            await session.AddFileAsync(FileEntry.Regular(path, content.Length, start), [await session.AddChunkAsync(content)]);
        for (var n = startSegment; n <= startSegment + 1; n++)
        {
            var name = "pg_wal/" + Lsn.FromSegment(n, 0, SegmentSize).WalFileName(new TimelineId(timeline), SegmentSize);
            var segment = Segment(new TimelineId(timeline), n, SegmentSize, systemId);
            await session.AddFileAsync(FileEntry.Regular(name, segment.Length, start), [await session.AddChunkAsync(segment)]);
        }
        if (withManifest)
            await session.AddDocumentAsync("backup_manifest", Manifest(files));
        var metadata = new SnapshotMetadata(SnapshotKind.Physical, systemId, 150004, timeline, At(startSegment).Value,
            At(startSegment + 1, 0x100).Value, start, start.AddMinutes(5), label, "test-host");
        return await session.CommitAsync(metadata);
    }

    public async Task<SnapshotInfo> LogicalAsync(DateTimeOffset start, ulong systemId = SystemId)
    {
        await using var session = await Repository.BeginBackupAsync();
        var content = Encoding.UTF8.GetBytes("logical " + start.Ticks);
        await session.AddFileAsync(FileEntry.Regular("manifest.json", content.Length, start), [await session.AddChunkAsync(content)]);
        var metadata = new SnapshotMetadata(SnapshotKind.Logical, systemId, 150004, 1, 0, 0, start, start.AddMinutes(1), "logical shop", "test-host");
        return await session.CommitAsync(metadata);
    }

    /// <summary>A backup_manifest as PostgreSQL writes it (version 1), with its own checksum line.</summary>
    public static byte[] Manifest(IReadOnlyDictionary<string, byte[]> files)
    {
        var text = new StringBuilder("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n");
        var first = true;
        foreach (var (path, content) in files)
        {
            text.Append(first ? "" : ",\n").Append("{ \"Path\": \"").Append(path).Append("\", \"Size\": ").Append(content.Length)
                .Append(", \"Last-Modified\": \"2026-11-01 06:00:00 GMT\", \"Checksum-Algorithm\": \"SHA256\", \"Checksum\": \"")
                .Append(Convert.ToHexStringLower(SHA256.HashData(content))).Append("\" }");
            first = false;
        }
        text.Append("\n],\n\"WAL-Ranges\": [\n{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/3000100\" }\n],\n");
        var body = Encoding.UTF8.GetBytes(text.ToString());
        var checksum = Convert.ToHexStringLower(SHA256.HashData(body));
        return [.. body, .. Encoding.UTF8.GetBytes($"\"Manifest-Checksum\": \"{checksum}\"}}\n")];
    }
}
