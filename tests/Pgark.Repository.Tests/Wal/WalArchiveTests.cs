using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;
using Pgark.Repository.Wal;

namespace Pgark.Repository.Tests.Wal;

public sealed class WalArchiveTests
{
    private const int SegmentSize = 16 * 1024 * 1024;
    private const ulong SystemId = 0x657AABA709C54B87;

    [Theory]
    [InlineData(1u, 3ul, SegmentSize, "000000010000000000000003")]
    [InlineData(1u, 256ul, SegmentSize, "000000010000000100000000")]
    [InlineData(3u, 4101ul, 1 << 30, "000000030000040100000001")]
    public void Segment_file_names_follow_postgresql(uint timeline, ulong segment, int size, string expected)
    {
        Assert.Equal(expected, WalArchive.SegmentFileName(timeline, segment, size));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("pw")]
    public async Task Segments_and_history_round_trip_and_list_in_wal_order_without_reading(string? passphrase)
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store, passphrase);
        var segment = new byte[SegmentSize];
        TestData.Random(3 * 1024 * 1024, 5).CopyTo(segment, 0);
        var partial = segment.AsMemory(0, 5_000_000);

        var name5 = await repository.Wal.ArchiveSegmentAsync(SystemId, 1, 5, SegmentSize, segment, partial: false);
        var name4 = await repository.Wal.ArchiveSegmentAsync(SystemId, 1, 4, SegmentSize, segment, partial: false);
        Assert.Equal(name5, await repository.Wal.ArchiveSegmentAsync(SystemId, 1, 5, SegmentSize, segment, partial: false));
        await repository.Wal.ArchiveSegmentAsync(SystemId, 2, 6, SegmentSize, partial, partial: true);
        await repository.Wal.ArchiveHistoryAsync(SystemId, 2, "1\t0/6000000\tno recovery target specified\n"u8.ToArray());

        Assert.StartsWith("wal/657AABA709C54B87/000000010000000000000005.full.", name5);
        var timeline1 = await repository.Wal.ListAsync(1);
        Assert.Equal([name4, name5], timeline1.Select(o => o.FileName));
        var all = await repository.Wal.ListAsync();
        Assert.Equal(["000000010000000000000004", "000000010000000000000005", "00000002.history", "000000020000000000000006"],
            all.Select(o => o.WalFileName));
        Assert.Equal([WalKind.Full, WalKind.Full, WalKind.History, WalKind.Partial], all.Select(o => o.Kind));
        Assert.Equal(segment, await repository.Wal.ReadAsync(timeline1[1]));
        Assert.Equal(partial.ToArray(), await repository.Wal.ReadAsync(all[3]));
        Assert.True(timeline1[0].Length < SegmentSize / 3, "zeros compress");
        Assert.False((await repository.CheckAsync(readData: true)).HasErrors);
    }

    [Fact]
    public async Task A_damaged_wal_object_is_storage_damage_and_two_full_objects_for_one_segment_conflict()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        var name = await repository.Wal.ArchiveSegmentAsync(SystemId, 1, 1, SegmentSize, new byte[SegmentSize], partial: false);
        var bytes = await store.GetAsync(name);
        bytes[100] ^= 1;
        store.Overwrite(name, bytes);
        var e = await Assert.ThrowsAsync<RepositoryCorruptionException>(async () => await repository.Wal.ReadAsync((await repository.Wal.ListAsync(1))[0]));
        Assert.Equal((name, CorruptionCause.StorageDamage), (e.FileName, e.Cause));

        var other = new byte[SegmentSize];
        other[0] = 1;
        var conflict = await Assert.ThrowsAsync<WalSegmentConflictException>(() => repository.Wal.ArchiveSegmentAsync(SystemId, 1, 1, SegmentSize, other, partial: false));
        Assert.Equal($"a different complete WAL segment is already archived as {name}", conflict.Message);
        // A second complete object written behind the archiver's back (another tool, a bug) is what check reports.
        var contentId = repository.Hasher.Compute(other);
        var body = Pgark.Repository.Wal.WalObject.EncodeBody(WalKind.Full, 1, 1, SegmentSize, other, contentId, repository.Codec);
        var file = Pgark.Repository.Objects.ObjectEnvelope.Encode(ObjectType.Wal, body, false, null);
        await store.PutAsync("wal/657AABA709C54B87/000000010000000000000001.full." + Pgark.Repository.Ids.ChunkHasher.FileId(file), file);
        var report = await repository.CheckAsync();
        Assert.Equal("2 different complete objects for WAL segment 000000010000000000000001", Assert.Single(report.Errors).Message);
    }

    /// <summary>A segment whose first page is a long page header naming <paramref name="systemId"/> (xlp_info 0x0002, xlp_sysid at 24).</summary>
    private static byte[] SegmentOf(ulong systemId, byte fill = 0)
    {
        var segment = new byte[SegmentSize];
        segment.AsSpan(40).Fill(fill);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(segment.AsSpan(2), 0x0002);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(segment.AsSpan(24), systemId);
        return segment;
    }

    /// <summary>An object as writers before per-cluster directories stored it: directly under wal/ (spec §8.2, the legacy namespace).</summary>
    private static async Task<string> PutLegacyAsync(Repository repository, MemoryStore store, WalKind kind, uint timeline, ulong segmentNumber, byte[] content,
        string kindName, int offset = 0)
    {
        var body = WalObject.EncodeBody(kind, timeline, segmentNumber, SegmentSize, content, repository.Hasher.Compute(content), repository.Codec, offset);
        var file = Pgark.Repository.Objects.ObjectEnvelope.Encode(ObjectType.Wal, body, false, null);
        var name = $"wal/{WalArchive.SegmentFileName(timeline, segmentNumber, SegmentSize)}.{kindName}.{Pgark.Repository.Ids.ChunkHasher.FileId(file)}";
        await store.PutAsync(name, file);
        return name;
    }

    [Fact]
    public async Task Two_clusters_archive_the_same_segment_names_apart_and_list_only_their_own()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        const ulong Other = 7312345678901234999;
        var mine = await repository.Wal.ArchiveSegmentAsync(SystemId, 1, 3, SegmentSize, SegmentOf(SystemId), partial: false);
        var theirs = await repository.Wal.ArchiveSegmentAsync(Other, 1, 3, SegmentSize, SegmentOf(Other), partial: false);
        await repository.Wal.ArchiveHistoryAsync(Other, 2, "1\t0/3000000\tno recovery target specified\n"u8.ToArray());

        Assert.StartsWith("wal/657AABA709C54B87/000000010000000000000003.full.", mine);
        Assert.StartsWith($"wal/{Other:X16}/000000010000000000000003.full.", theirs);
        Assert.Equal([SystemId, Other], await repository.Wal.ListClustersAsync());
        Assert.Equal([mine], (await repository.Wal.ListClusterAsync(SystemId)).Select(o => o.FileName));
        Assert.Equal([SystemId], (await repository.Wal.ListClusterAsync(SystemId, 1)).Select(o => o.SystemIdentifier!.Value));
        Assert.Equal(["000000010000000000000003", "00000002.history"], (await repository.Wal.ListClusterAsync(Other)).Select(o => o.WalFileName));
        Assert.Equal(3, (await repository.Wal.ListAsync()).Count);
        // Same name, other cluster: not a conflict; check is clean, and with the data read each object is where its first page says.
        Assert.False((await repository.CheckAsync(readData: true)).HasErrors);
    }

    [Fact]
    public async Task Check_reports_a_segment_filed_under_another_clusters_directory()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        var name = await repository.Wal.ArchiveSegmentAsync(SystemId, 1, 3, SegmentSize, SegmentOf(42), partial: false);
        var report = await repository.CheckAsync(readData: true);
        Assert.Equal($"WAL 000000010000000000000003 in the directory of system 657AABA709C54B87 holds WAL of system {42:X16}",
            Assert.Single(report.Errors).Message);
        Assert.Equal(name, report.Errors.First().FileName);
    }

    [Fact]
    public async Task The_legacy_namespace_is_the_cluster_its_first_segment_names_and_reads_together_with_that_clusters_directory()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        // Legacy: a piece not at byte 0 and a history file (no system named), then segments 4 (partial) and 5 (full) of SystemId.
        await PutLegacyAsync(repository, store, WalKind.Piece, 1, 2, new byte[100], "piece-00000064-000000C8", 100);
        var legacyFull = await PutLegacyAsync(repository, store, WalKind.Full, 1, 5, SegmentOf(SystemId, 5), "full");
        var legacyPartial = await PutLegacyAsync(repository, store, WalKind.Partial, 1, 4, SegmentOf(SystemId, 4).AsSpan(0, 4096).ToArray(), "partial");
        Assert.Null(Assert.Single(await repository.Wal.ListAsync(), o => o.FileName == legacyFull).SystemIdentifier);

        // Attributed by the first segment object in WAL order (segment 4's partial), not by the piece that starts after byte 0.
        Assert.Equal(SystemId, await repository.Wal.LegacySystemIdentifierAsync());
        Assert.Equal([SystemId], await repository.Wal.ListClustersAsync());
        Assert.Equal(3, (await repository.Wal.ListClusterAsync(SystemId)).Count);
        Assert.Empty(await repository.Wal.ListClusterAsync(42));

        // Re-archiving the legacy full segment is a no-op returning it; a different one under its name conflicts.
        Assert.Equal(legacyFull, await repository.Wal.ArchiveSegmentAsync(SystemId, 1, 5, SegmentSize, SegmentOf(SystemId, 5), partial: false));
        await Assert.ThrowsAsync<WalSegmentConflictException>(() => repository.Wal.ArchiveSegmentAsync(SystemId, 1, 5, SegmentSize, SegmentOf(SystemId, 6), partial: false));
        // Another cluster's segment 5 is its own, beside the legacy one.
        var other = await repository.Wal.ArchiveSegmentAsync(42, 1, 5, SegmentSize, SegmentOf(42), partial: false);
        Assert.StartsWith("wal/000000000000002A/", other);
        Assert.Equal([42UL, SystemId], await repository.Wal.ListClustersAsync());
        Assert.Equal([other], (await repository.Wal.ListClusterAsync(42)).Select(o => o.FileName));
        Assert.Contains(legacyPartial, (await repository.Wal.ListClusterAsync(SystemId)).Select(o => o.FileName));
        Assert.False((await repository.CheckAsync(readData: true)).HasErrors);
    }

    [Fact]
    public async Task A_writer_deleting_legacy_segments_keeps_the_last_one_while_legacy_history_files_remain()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        var four = await PutLegacyAsync(repository, store, WalKind.Full, 1, 4, SegmentOf(SystemId, 4), "full");
        var five = await PutLegacyAsync(repository, store, WalKind.Full, 1, 5, SegmentOf(SystemId, 5), "full");
        string cluster = await repository.Wal.ArchiveSegmentAsync(SystemId, 1, 6, SegmentSize, SegmentOf(SystemId, 6), partial: false);

        // No legacy history file: every legacy segment may go.
        Assert.Equal([four, five, cluster], await repository.Wal.WithoutLegacyAnchorAsync([four, five, cluster]));

        // With one, the namespace's cluster must stay known: the first of the segments being deleted is kept when it would be the last.
        byte[] history = "1\t0/5000000\tno recovery target specified\n"u8.ToArray();
        var historyFile = Pgark.Repository.Objects.ObjectEnvelope.Encode(ObjectType.Wal,
            WalObject.EncodeBody(WalKind.History, 2, 0, 0, history, repository.Hasher.Compute(history), repository.Codec, 0), false, null);
        await store.PutAsync($"wal/00000002.history.{Pgark.Repository.Ids.ChunkHasher.FileId(historyFile)}", historyFile);
        Assert.Equal([four], await repository.Wal.WithoutLegacyAnchorAsync([four]));
        Assert.Equal([five, cluster], await repository.Wal.WithoutLegacyAnchorAsync([four, five, cluster]));
        await store.DeleteAsync(four);
        Assert.Equal([cluster], await repository.Wal.WithoutLegacyAnchorAsync([five, cluster]));
        Assert.Equal(SystemId, await repository.Wal.LegacySystemIdentifierAsync());
    }

    [Fact]
    public async Task A_legacy_namespace_without_a_segment_start_belongs_to_no_cluster()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        await PutLegacyAsync(repository, store, WalKind.Piece, 1, 2, new byte[100], "piece-00000064-000000C8", 100);
        var random = TestData.Random(SegmentSize, 9);
        random[2] = 0; // xlp_info without XLP_LONG_HEADER: not a segment's first page
        Assert.Null(await repository.Wal.LegacySystemIdentifierAsync());
        await PutLegacyAsync(repository, store, WalKind.Full, 1, 3, random, "full");
        Assert.Null(await repository.Wal.LegacySystemIdentifierAsync());
        Assert.Empty(await repository.Wal.ListClustersAsync());
        Assert.Equal(2, (await repository.Wal.ListAsync()).Count);
    }

    [Theory]
    [InlineData("wal/657AABA709C54B87/000000010000000000000003.full.", 0x657AABA709C54B87UL)]
    [InlineData("wal/000000010000000000000003.full.", null)]
    public void Names_with_and_without_a_cluster_directory_parse(string prefix, ulong? systemId)
    {
        var info = WalArchive.TryParseName(prefix + new string('a', 64), 10);
        Assert.NotNull(info);
        Assert.Equal(("000000010000000000000003", WalKind.Full, 1u, systemId), (info.WalFileName, info.Kind, info.Timeline, info.SystemIdentifier));
    }

    [Theory]
    [InlineData("wal/657aaba709c54b87/000000010000000000000003.full.")] // lower-case hex
    [InlineData("wal/657AABA709C54B8/000000010000000000000003.full.")] // 15 digits
    [InlineData("wal/657AABA709C54B87/x/000000010000000000000003.full.")] // deeper
    [InlineData("wal/657AABA709C54B87000000010000000000000003.full.")] // no slash, wrong length
    public void Malformed_cluster_directories_are_not_wal_objects(string prefix)
        => Assert.Null(WalArchive.TryParseName(prefix + new string('a', 64), 10));
}
