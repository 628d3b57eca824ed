using System.Buffers.Binary;
using Pgark.Repository.Config;
using Pgark.Repository.Crypto;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Index;
using Pgark.Repository.Locks;
using Pgark.Repository.Objects;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository.Tests;

/// <summary>
/// Every persisted number of format version 1 (spec §16). Changing an existing value silently corrupts repositories written
/// by older builds, so these pins only ever GROW: a new member must be added here, an existing one never changed. A
/// deliberate change bumps <see cref="FormatConstants.FormatVersion"/> and keeps a fixture of the old version reading.
/// </summary>
public sealed class PersistedFormatStabilityTests
{
    private static void Pinned<TEnum>(params (TEnum Member, long Value)[] pins) where TEnum : struct, Enum
    {
        Assert.Equal(pins.Select(p => p.Member.ToString()).Order(), Enum.GetNames<TEnum>().Order());
        foreach (var (member, value) in pins)
            Assert.Equal(value, Convert.ToInt64(member));
    }

    [Fact]
    public void Enums_are_frozen()
    {
        Pinned((ObjectType.Index, 1), (ObjectType.Snapshot, 2), (ObjectType.Lock, 3), (ObjectType.Wal, 4), (ObjectType.Key, 5),
            (ObjectType.VerifyState, 6), (ObjectType.DrillResult, 7), (ObjectType.Settings, 8));
        Pinned((ObjectFlags.None, 0), (ObjectFlags.Compressed, 1), (ObjectFlags.Encrypted, 2));
        Pinned((ChunkKind.Data, 1), (ChunkKind.Tree, 2), (ChunkKind.PageDelta, 3));
        Pinned((ChunkFlags.None, 0), (ChunkFlags.Compressed, 1));
        Pinned((ConfigFlags.None, 0), (ConfigFlags.Encrypted, 1));
        Pinned((ChunkIdAlgorithm.Blake3, 1));
        Pinned((CompressionAlgorithm.Zstd, 1));
        Pinned((SnapshotKind.Physical, 1), (SnapshotKind.Logical, 2));
        Pinned((TreeRecordType.File, 1), (TreeRecordType.Chunks, 2), (TreeRecordType.Extents, 3), (TreeRecordType.PagedExtents, 4));
        Pinned((FileKind.Regular, 1), (FileKind.Directory, 2), (FileKind.Symlink, 3));
        Pinned((FileLayout.Chunked, 0), (FileLayout.Paged, 1));
        Pinned((WalKind.Full, 1), (WalKind.Partial, 2), (WalKind.History, 3), (WalKind.Piece, 4));
        Pinned((LockKind.Shared, 1), (LockKind.Exclusive, 2));
        Pinned((KdfAlgorithm.Pbkdf2Sha256, 1));
        Pinned((CorruptionCause.StorageDamage, 1), (CorruptionCause.WriterBug, 2), (CorruptionCause.Unknown, 3));
    }

    [Fact]
    public void Magic_values_versions_contexts_and_limits_are_frozen()
    {
        Assert.Equal("PGARKCFG"u8.ToArray(), FormatConstants.ConfigMagic.ToArray());
        Assert.Equal("PGARKPAK"u8.ToArray(), FormatConstants.PackMagic.ToArray());
        Assert.Equal("PGARKHDR"u8.ToArray(), FormatConstants.PackHeaderAad.ToArray());
        Assert.Equal("PGKO"u8.ToArray(), FormatConstants.ObjectMagic.ToArray());
        Assert.Equal("pgark 2026-11 chunk id", FormatConstants.ChunkIdKeyContext);
        Assert.Equal("pgark 2026-11 data encryption", FormatConstants.DataKeyContext);
        Assert.Equal((1, 1, 1), (FormatConstants.FormatVersion, FormatConstants.ObjectVersion, FormatConstants.PackVersion));
        Assert.Equal(16 * 1024 * 1024, FormatConstants.MaxChunkSize);
        Assert.Equal(1L << 30, FormatConstants.MaxPackSize);
        Assert.Equal((4096, 262144, 3, 1048576), (FormatConstants.TreeCutMinimum, FormatConstants.TreeCutMaximum, FormatConstants.TreeCutMask,
            FormatConstants.MaxTreeRecord));
        Assert.Equal((4096, 16), (FormatConstants.MaxChunksPerRecord, FormatConstants.MaxExtentsPerRecord));
        Assert.Equal((8, 64), (FormatConstants.MaxWriterDeltaDepth, FormatConstants.MaxReaderDeltaDepth));
        Assert.Equal((8, 1048576, 100_000), (FormatConstants.PageHashSize, FormatConstants.WalFrameSize, FormatConstants.MinimumKdfIterations));
        Assert.Equal((48, 52, 16, 64, 8, 40), (PackLayout.EntrySize, IndexDelta.EntrySize, PackLayout.TrailerSize, RepositoryConfig.Size,
            ObjectEnvelope.HeaderSize, SealedBox.Overhead));
        Assert.Equal((44, 116, 64, 12), (PageDelta.FixedSize, KeyFile.BodySize, Pgark.Repository.Wal.WalObject.FixedSize, Pgark.Repository.Wal.WalObject.FrameEntrySize));
    }

    [Fact]
    public void Config_fields_sit_at_their_spec_offsets()
    {
        var id = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var bytes = new RepositoryConfig(1, true, id).Encode();
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(10)));
        Assert.Equal(id, bytes[12..28]);
        Assert.Equal((1, 1, 0, 0), (bytes[28], bytes[29], bytes[30], bytes[31]));
        var checksum = new byte[32];
        Pgark.Repository.Codecs.Blake3.Hash(bytes.AsSpan(0, 32), checksum);
        Assert.Equal(checksum, bytes[32..]);
    }

    [Fact]
    public void Object_header_and_pack_layout_sit_at_their_spec_offsets()
    {
        var file = ObjectEnvelope.Encode(ObjectType.Snapshot, [1, 2, 3], compress: false, box: null);
        Assert.Equal("PGKO"u8.ToArray().Concat(new byte[] { 2, 1, 0, 0, 1, 2, 3 }), file);

        var id = ChunkHasher.Unkeyed.Compute("x"u8);
        var tail = PackHeaderCodec.EncodeHeaderAndTrailer([new PackEntry(id, 0, 7, 9, ChunkFlags.Compressed, ChunkKind.PageDelta)], null);
        Assert.Equal(8 + 48 + 32 + 16, tail.Length);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(tail));
        Assert.Equal(id.ToArray(), tail[8..40]);
        Assert.Equal((0u, 7u, 9u), (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(40)), BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(44)),
            BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(48))));
        Assert.Equal((1, 3), (tail[52], tail[53]));
        var trailer = tail[^16..];
        Assert.Equal(88u, BinaryPrimitives.ReadUInt32LittleEndian(trailer));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(trailer.AsSpan(4)));
        Assert.Equal("PGARKPAK"u8.ToArray(), trailer[8..]);
    }

    [Fact]
    public void Tree_records_and_page_deltas_sit_at_their_spec_offsets()
    {
        var writer = new Binary.ByteWriter();
        TreeRecordCodec.WriteFile(writer, FileEntry.Paged("base/1/2", 16384, DateTimeOffset.UnixEpoch.AddSeconds(1), 0x8180, 8192, 8192));
        var file = writer.ToArray();
        Assert.Equal(1, file[0]);
        Assert.Equal(file.Length - 5, (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(1)));
        Assert.Equal(8u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(5)));
        Assert.Equal("base/1/2"u8.ToArray(), file[9..17]);
        Assert.Equal((1, 1, 0, 0), (file[17], file[18], file[19], file[20]));
        Assert.Equal(0x8180u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(21)));
        Assert.Equal(16384ul, BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(25)));
        Assert.Equal(1_000_000L, BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(33)));
        Assert.Equal((8192u, 8192u), (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(41)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(45))));

        writer = new Binary.ByteWriter();
        var objectId = ChunkHasher.Unkeyed.Compute("o"u8);
        TreeRecordCodec.WriteExtents(writer, 3, 1, [new ExtentRef(objectId, 2, [0x0102030405060708])]);
        var extents = writer.ToArray();
        Assert.Equal(4, extents[0]); // PagedExtents: subtree page hashes, what a backup writes
        var legacy = new Binary.ByteWriter();
        TreeRecordCodec.WriteExtents(legacy, 3, 1, [new ExtentRef(objectId, 2, [0x0102030405060708], PageHashKind.Content)]);
        Assert.Equal([3, .. extents[1..]], legacy.ToArray());
        Assert.Equal((3u, (ushort)1, (ushort)1), (BinaryPrimitives.ReadUInt32LittleEndian(extents.AsSpan(5)),
            BinaryPrimitives.ReadUInt16LittleEndian(extents.AsSpan(9)), BinaryPrimitives.ReadUInt16LittleEndian(extents.AsSpan(11))));
        Assert.Equal(objectId.ToArray(), extents[13..45]);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(extents.AsSpan(45)));
        Assert.Equal(0x0102030405060708ul, BinaryPrimitives.ReadUInt64LittleEndian(extents.AsSpan(49)));

        var extent = new byte[3 * 8192 - 100];
        extent[8192] = 9;
        var delta = PageDelta.Encode(objectId, 4, extent, 8192, [false, true, true]);
        Assert.Equal(objectId.ToArray(), delta[..32]);
        Assert.Equal((uint)extent.Length, BinaryPrimitives.ReadUInt32LittleEndian(delta.AsSpan(32)));
        Assert.Equal(8192u, BinaryPrimitives.ReadUInt32LittleEndian(delta.AsSpan(36)));
        Assert.Equal((2, 4), (BinaryPrimitives.ReadUInt16LittleEndian(delta.AsSpan(40)), BinaryPrimitives.ReadUInt16LittleEndian(delta.AsSpan(42))));
        Assert.Equal(0b110, delta[44]);
        Assert.Equal(45 + 8192 + 8092, delta.Length);
        Assert.Equal(9, delta[45]);
        Assert.Equal(extent, PageDelta.Apply(delta, new byte[3 * 8192]));
    }

    [Fact]
    public void Lock_and_key_file_fields_sit_at_their_spec_offsets()
    {
        var lockBody = new LockRecord(LockKind.Exclusive, 77, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddTicks(10), "h", "prune").EncodeBody();
        Assert.Equal(2, lockBody[0]);
        Assert.Equal(77u, BinaryPrimitives.ReadUInt32LittleEndian(lockBody.AsSpan(4)));
        Assert.Equal((0L, 0L, 1L), (BinaryPrimitives.ReadInt64LittleEndian(lockBody.AsSpan(8)), BinaryPrimitives.ReadInt64LittleEndian(lockBody.AsSpan(16)),
            BinaryPrimitives.ReadInt64LittleEndian(lockBody.AsSpan(24))));

        var repositoryId = new byte[16];
        repositoryId[0] = 0xAB;
        var (key, master) = KeyFile.Create("pw", repositoryId, 100_000);
        Assert.Equal(116, key.Length);
        Assert.Equal(1, key[0]);
        Assert.Equal(100_000u, BinaryPrimitives.ReadUInt32LittleEndian(key.AsSpan(4)));
        Assert.Equal(repositoryId, key[8..24]);
        Assert.Equal(master, KeyFile.TryOpen(key, "pw", repositoryId));
        Assert.Null(KeyFile.TryOpen(key, "wrong", repositoryId));
    }

    [Fact]
    public async Task Wal_piece_names_and_fields_sit_at_their_spec_places()
    {
        var store = new Pgark.Repository.Storage.MemoryStore();
        var repository = await Pgark.Repository.Repository.InitAsync(store, new Pgark.Repository.RepositoryInitOptions());
        var content = new byte[0x6000];
        content[0] = 0x5A;

        var name = await repository.Wal.ArchivePieceAsync(7312345678901234567, 0x10, 3, 1 << 24, 0x24000, content);

        // The cluster's directory: its system identifier in 16 upper-case hex digits (spec §2, §8.2).
        Assert.StartsWith("wal/657AABA709C54B87/000000100000000000000003.piece-00024000-0002A000.", name);
        var file = await store.GetAsync(name);
        var body = file.AsSpan(ObjectEnvelope.HeaderSize);
        Assert.Equal(4, body[0]);
        Assert.Equal((0x10u, 3UL, 1u << 24, 0x6000u), (BinaryPrimitives.ReadUInt32LittleEndian(body[4..]), BinaryPrimitives.ReadUInt64LittleEndian(body[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(body[16..]), BinaryPrimitives.ReadUInt32LittleEndian(body[20..])));
        Assert.Equal(0x24000u, BinaryPrimitives.ReadUInt32LittleEndian(body[60..]));
        var listed = Assert.Single(await repository.Wal.ListAsync());
        Assert.Equal((WalKind.Piece, 0x24000, 0x2A000, 7312345678901234567UL), (listed.Kind, listed.PieceStart, listed.PieceEnd, listed.SystemIdentifier));
        Assert.Equal(content, await repository.Wal.ReadAsync(listed));
    }
}
