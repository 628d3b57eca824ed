using System.Text;
using Pgark.Wal.Reader;

namespace Pgark.Tests.WalReader;

/// <summary>Release differences and record shapes the PostgreSQL 15 golden files do not contain, on synthetic WAL.</summary>
public sealed class WalReaderSyntheticTests
{
    private static readonly RelFileLocator s_rel = new(1663, 5, 16384);

    private static List<WalRecord> ReadOne(SyntheticWal wal, out global::Pgark.Wal.Reader.WalReader reader)
    {
        (byte[] segment, _) = wal.Build();
        reader = new global::Pgark.Wal.Reader.WalReader([WalSegmentInput.FromMemory(wal.FileName, segment)]);
        Assert.True(reader.MoveNext());
        return [reader.Current];
    }

    [Fact]
    public void Pg13ImageFlags_CompressedWithHoleLengthField()
    {
        // PostgreSQL 13/14: 0x01 HAS_HOLE, 0x02 IS_COMPRESSED, 0x04 APPLY; compressed + hole => hole_length follows.
        byte[] imageHeader = [.. RecordBody.U16(100), .. RecordBody.U16(300), 0x03, .. RecordBody.U16(2000)];
        byte[] body = new RecordBody().Block(0, 0x10, s_rel, 42, imageHeader: imageHeader, image: new byte[100]).Build();
        List<WalRecord> records = ReadOne(new SyntheticWal(0xD106).Add(10, 0x00, 700, body), out global::Pgark.Wal.Reader.WalReader reader);
        using (reader)
        {
            WalBlockReference block = records[0].Blocks[0];
            Assert.Equal(13, reader.Version!.Major);
            Assert.Equal(WalImageCompression.Pglz, block.ImageCompression);
            Assert.False(block.ApplyImage);
            Assert.Equal((ushort)2000, block.HoleLength);
            Assert.Equal((ushort)300, block.HoleOffset);
            Assert.Equal(100, records[0].ImageLength);
            Assert.Equal(s_rel, block.Relation);
            Assert.Equal(42u, block.BlockNumber);
        }
    }

    [Fact]
    public void Pg15ImageFlags_ApplyAndLz4()
    {
        // PostgreSQL 15+: 0x02 APPLY, 0x08 COMPRESS_LZ4.
        byte[] imageHeader = [.. RecordBody.U16(120), .. RecordBody.U16(64), 0x0B, .. RecordBody.U16(4000)];
        byte[] body = new RecordBody().Block(0, 0x10, s_rel, 7, imageHeader: imageHeader, image: new byte[120]).Build();
        List<WalRecord> records = ReadOne(new SyntheticWal(0xD113).Add(10, 0x00, 700, body), out global::Pgark.Wal.Reader.WalReader reader);
        using (reader)
        {
            Assert.Equal(16, reader.Version!.Major);
            Assert.Equal(WalImageCompression.Lz4, records[0].Blocks[0].ImageCompression);
            Assert.True(records[0].Blocks[0].ApplyImage);
            Assert.Equal(120, records[0].GetBlockImage(0).Length);
        }
    }

    [Theory]
    [InlineData(0xD110, 12)]
    [InlineData(0xD118, 16)]
    public void CommitWithDroppedStatsTwoPhaseAndOrigin_UsesTheReleasesStatsItemSize(ushort magic, int statsItemSize)
    {
        const uint xinfo = XactCompletion.HasDbInfo | XactCompletion.HasSubxacts | XactCompletion.HasRelFileLocators
            | XactCompletion.HasDroppedStats | XactCompletion.HasInvals | XactCompletion.HasTwoPhase | XactCompletion.HasGid | XactCompletion.HasOrigin;
        byte[] main =
        [
            .. RecordBody.U64(123_456_789), .. RecordBody.U32(xinfo),
            .. RecordBody.U32(5), .. RecordBody.U32(1663),
            .. RecordBody.U32(2), .. RecordBody.U32(801), .. RecordBody.U32(802),
            .. RecordBody.U32(1), .. RecordBody.U32(1663), .. RecordBody.U32(5), .. RecordBody.U32(16999),
            .. RecordBody.U32(2), .. new byte[2 * statsItemSize],
            .. RecordBody.U32(1), .. new byte[16],
            .. RecordBody.U32(790), .. Encoding.UTF8.GetBytes("gid-42"), 0,
            .. RecordBody.U64(0xABCDEF), .. RecordBody.U64(555),
        ];
        byte[] body = new RecordBody().Main(main).Build();
        List<WalRecord> records = ReadOne(new SyntheticWal(magic).Add(1, 0x30 | 0x80, 0, body), out global::Pgark.Wal.Reader.WalReader reader);
        using (reader)
        {
            XactCompletion xact = records[0].Transaction!;
            Assert.Equal(XactCompletionKind.CommitPrepared, xact.Kind);
            Assert.Equal(790u, xact.Xid);
            Assert.Equal("gid-42", xact.TwoPhaseGid);
            Assert.Equal(0xABCDEFul, xact.OriginLsn.Value);
            Assert.Equal(555, xact.OriginTimestampMicros);
            Assert.Equal([801u, 802u], xact.Subxacts);
            Assert.Equal([new RelFileLocator(1663, 5, 16999)], xact.DroppedRelations);
            Assert.Equal(2, xact.DroppedStatsCount);
            Assert.Equal(1, xact.InvalidationCount);
            Assert.Equal(new DateTime(2000, 1, 1, 0, 2, 3, 456, 789, DateTimeKind.Utc), xact.Time);
        }
    }

    [Fact]
    public void LongMainDataOriginToplevelXid_AndARecordSpanningPages()
    {
        byte[] main = new byte[20_000];
        new Random(3).NextBytes(main);
        byte[] body = new RecordBody().Origin(9).Toplevel(650).Block(0, 0x20, s_rel, 1, data: [1, 2, 3]).Block(3, 0x80 | 0x40, null, 2).Main(main).Build();
        var wal = new SyntheticWal(0xD116).Add(21, 0x00, 651, body).Add(0, 0x20, 0, []);
        (byte[] segment, List<ulong> starts) = wal.Build();
        using var reader = new global::Pgark.Wal.Reader.WalReader([WalSegmentInput.FromMemory(wal.FileName, segment)]);

        Assert.True(reader.MoveNext());
        WalRecord r = reader.Current;
        Assert.Equal(starts[0], r.StartLsn.Value);
        Assert.Equal((ushort)9, r.OriginId);
        Assert.Equal(650u, r.ToplevelXid);
        Assert.True(main.AsSpan().SequenceEqual(r.MainData));
        Assert.Equal(2, r.BlockCount);
        Assert.Equal([1, 2, 3], r.GetBlockData(0).ToArray());
        Assert.Equal(s_rel, r.Blocks[1].Relation); // BKPBLOCK_SAME_REL
        Assert.True(r.Blocks[1].WillInit);
        Assert.Equal("LogicalMessage", r.RmgrName);
        Assert.True(reader.MoveNext());
        Assert.Equal(starts[1], reader.Current.StartLsn.Value);
        Assert.Equal("NOOP", reader.Current.TypeName);
        Assert.False(reader.MoveNext());
    }

    public static TheoryData<string, byte[]> MalformedBodies => new()
    {
        { "out-of-order block_id 0", new RecordBody().Block(1, 0, s_rel, 1).Block(0, 0, s_rel, 2).Build() },
        { "invalid block_id 40", new RecordBody().Raw(40, 0, 0, 0).Build() },
        { "BKPBLOCK_HAS_DATA set, but no data included", new RecordBody().Raw(0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).Build() },
        { "BKPBLOCK_SAME_REL set but no previous rel", new RecordBody().Block(0, 0x80, null, 1).Build() },
        { "invalid record length: 4 bytes follow the headers, 2 declared", new RecordBody().Raw(255, 2, 1, 2, 3, 4).Build() },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void MalformedRecordBodies_AreBadRecordBody(string problem, byte[] body)
    {
        var wal = new SyntheticWal(0xD110).Add(10, 0x00, 700, body);
        (byte[] segment, List<ulong> starts) = wal.Build();
        using var reader = new global::Pgark.Wal.Reader.WalReader([WalSegmentInput.FromMemory(wal.FileName, segment)]);

        WalFormatException e = Assert.Throws<WalFormatException>(() => reader.MoveNext());

        Assert.Equal(WalErrorKind.BadRecordBody, e.Kind);
        Assert.Equal((long)(starts[0] % SyntheticWal.SegmentSize), e.SegmentOffset);
        Assert.StartsWith(problem + " in record at ", e.Detail);
        Assert.False(reader.MoveNext()); // the reader stays ended after an error
    }

    [Fact]
    public void UnknownResourceManager_IsBadRecordHeader()
    {
        var wal = new SyntheticWal(0xD110).Add(50, 0x00, 0, []);
        (byte[] segment, _) = wal.Build();
        using var reader = new global::Pgark.Wal.Reader.WalReader([WalSegmentInput.FromMemory(wal.FileName, segment)]);

        WalFormatException e = Assert.Throws<WalFormatException>(() => reader.MoveNext());

        Assert.Equal(WalErrorKind.BadRecordHeader, e.Kind);
        Assert.StartsWith("invalid resource manager ID 50 at 0/500028", e.Detail);
    }
}
