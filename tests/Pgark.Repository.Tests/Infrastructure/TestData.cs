using Pgark.Repository.Config;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;

namespace Pgark.Repository.Tests.Infrastructure;

/// <summary>Deterministic content and a small "data directory" backed up through the public session API.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset Time = new(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);

    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Pages that look like heap pages: a random header and half-compressible tuples.</summary>
    public static byte[] Relation(int pages, int seed)
    {
        var bytes = new byte[pages * 8192];
        var random = new Random(seed);
        for (var p = 0; p < pages; p++)
        {
            var page = bytes.AsSpan(p * 8192, 8192);
            random.NextBytes(page[..4096]);
            for (var i = 4096; i < 8192; i++)
                page[i] = (byte)(i % 7 + p);
        }
        return bytes;
    }

    public static SnapshotMetadata Metadata(string label, DateTimeOffset? start = null) => new(
        SnapshotKind.Physical, 7_301_234_567_890_123_456UL, 150004, 1, 0x3000028, 0x3000100,
        start ?? Time, (start ?? Time).AddMinutes(1), label, "testhost");

    public static RepositoryOptions Options(string? passphrase = null) => new()
    {
        Passphrase = passphrase,
        Storage = StorageSettings.Default with { PackTargetSize = 64 * 1024 },
        Hostname = "testhost",
    };

    public static Task<Repository> InitAsync(IBlobStore store, string? passphrase = null)
        => Repository.InitAsync(store, new RepositoryInitOptions { Passphrase = passphrase, KdfIterations = FormatConstants.MinimumKdfIterations },
            Options(passphrase));

    /// <summary>A data directory: PG_VERSION, a directory, a symlink, a relation (paged) and a chunked 200 KB file.</summary>
    public sealed class DataDirectory
    {
        public byte[] PgVersion { get; set; } = "15\n"u8.ToArray();
        public byte[] Relation { get; set; } = Relation(70, seed: 11);
        public byte[] Stream { get; set; } = Random(200_000, seed: 12);
        public byte[] Manifest { get; set; } = "{\"PostgreSQL-Backup-Manifest-Version\": 1}"u8.ToArray();
    }

    /// <summary>Backs up <paramref name="data"/>, comparing pages with <paramref name="parent"/>'s tree when given.</summary>
    public static async Task<(SnapshotInfo Snapshot, BackupSession Session)> BackupAsync(Repository repository, DataDirectory data,
        string label, SnapshotInfo? parent = null, DateTimeOffset? start = null)
    {
        var parentExtents = new List<ExtentRef>();
        if (parent is not null)
        {
            await using var cursor = repository.OpenTreeCursor(parent.Record);
            Assert.Null(await cursor.SeekAsync("base/4"));
            parentExtents.AddRange((await cursor.SeekAsync("base/5/16384"))!.Extents);
            Assert.Null(await cursor.SeekAsync("base/5/16385"));
            Assert.Equal(FileKind.Symlink, (await cursor.SeekAsync("pg_wal"))!.Entry.Kind);
        }
        await using var session = await repository.BeginBackupAsync();
        await session.AddFileAsync(FileEntry.Regular("PG_VERSION", data.PgVersion.Length, Time),
            [await session.AddChunkAsync(data.PgVersion)]);
        await session.AddFileAsync(FileEntry.Directory("base", Time), []);
        await session.AddFileAsync(FileEntry.Directory("base/5", Time), []);
        var relation = FileEntry.Paged("base/5/16384", data.Relation.Length, Time, extentSize: 64 * 1024);
        var extents = new List<ExtentRef>();
        for (var e = 0; e < relation.ExtentCount; e++)
        {
            var slice = data.Relation.AsMemory(e * relation.ExtentSize, (int)Math.Min(relation.ExtentSize, data.Relation.Length - e * (long)relation.ExtentSize));
            extents.Add(await session.AddExtentAsync(slice, relation.PageSize, relation.PagesPerExtent, e < parentExtents.Count ? parentExtents[e] : null));
        }
        await session.AddPagedFileAsync(relation, extents);
        var chunks = new List<ChunkRef>();
        for (var at = 0; at < data.Stream.Length; at += 50_000)
            chunks.Add(await session.AddChunkAsync(data.Stream.AsMemory(at, Math.Min(50_000, data.Stream.Length - at))));
        await session.AddFileAsync(FileEntry.Symlink("pg_wal", "/var/lib/wal", Time), []);
        await session.AddFileAsync(FileEntry.Regular("pg_wal_dump.bin", data.Stream.Length, Time), chunks);
        await session.AddDocumentAsync("backup_manifest", data.Manifest);
        var metadata = Metadata(label, start) with { ParentSnapshotId = parent?.Id ?? default };
        var snapshot = await session.CommitAsync(metadata);
        return (snapshot, session);
    }

    /// <summary>Restores every file and returns path → bytes (directories and symlinks map to empty arrays).</summary>
    public static async Task<Dictionary<string, byte[]>> RestoreAsync(Repository repository, SnapshotInfo snapshot)
    {
        var files = new Dictionary<string, byte[]>();
        await foreach (var file in repository.ReadTreeAsync(snapshot.Record))
        {
            using var buffer = new MemoryStream();
            await repository.RestoreFileAsync(file, buffer);
            files[file.Entry.Path] = buffer.ToArray();
        }
        return files;
    }

    public static async Task<int> CountAsync(IBlobStore store, string prefix = "")
    {
        var count = 0;
        await foreach (var _ in store.ListAsync(prefix))
            count++;
        return count;
    }
}
