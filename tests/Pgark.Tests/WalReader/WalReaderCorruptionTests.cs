using System.Buffers.Binary;
using Pgark.Wal.Reader;
using Pgark.Wire.Replication;

namespace Pgark.Tests.WalReader;

/// <summary>Damaged WAL must fail with the exact typed error, naming the segment file and byte offset; never crash or hang.</summary>
public sealed class WalReaderCorruptionTests
{
    private const string Seg7 = "000000010000000000000007";
    private const string Seg8 = "000000010000000000000008";
    private const string Seg9 = "000000010000000000000009";
    private const int SegmentSize = 1 << 20;
    private const int PageSize = 8192;

    private static readonly Lazy<List<WaldumpLine>> s_golden = new(() => WalTestData.GoldenWaldump("pg15-1mb"));

    [Fact]
    public void FlippedByteInRecordBody_IsCrcMismatchAtTheRecordStart()
    {
        WaldumpLine victim = OnePageRecordIn(7, minLength: 100);
        int offset = Offset(victim.Lsn);
        byte[] seg = WalTestData.Segment("pg15-1mb", Seg7);
        seg[offset + 60] ^= 0x10;

        WalFormatException e = ReadExpectingError((Seg7, seg));

        Assert.Equal(WalErrorKind.CrcMismatch, e.Kind);
        Assert.Equal(Seg7, e.SegmentFileName);
        Assert.Equal(offset, e.SegmentOffset);
        Assert.StartsWith($"WAL segment {Seg7} at byte offset {offset} (0x{offset:X}): incorrect resource manager data checksum in record at {victim.Lsn}: stored 0x", e.Message);
        Assert.EndsWith("hint: the segment is damaged; compare it with the archived copy (pg_waldump shows the same position)", e.Message);
    }

    [Fact]
    public void FlippedXlPrev_IsBadRecordHeaderBeforeTheCrcIsChecked()
    {
        WaldumpLine victim = OnePageRecordIn(7, minLength: 24, skip: 5);
        int offset = Offset(victim.Lsn);
        byte[] seg = WalTestData.Segment("pg15-1mb", Seg7);
        seg[offset + 8] ^= 0x08;

        WalFormatException e = ReadExpectingError((Seg7, seg));

        Assert.Equal(WalErrorKind.BadRecordHeader, e.Kind);
        Assert.Equal(offset + 8, e.SegmentOffset);
        Assert.Contains($"record at {victim.Lsn} has incorrect xl_prev", e.Detail);
    }

    [Fact]
    public void SegmentCutInsideARecord_IsTruncatedAtTheCut()
    {
        WaldumpLine victim = OnePageRecordIn(7, minLength: 100, skip: 40);
        int cut = Offset(victim.Lsn) + 50;
        byte[] seg = WalTestData.Segment("pg15-1mb", Seg7)[..cut];

        WalFormatException e = ReadExpectingError((Seg7, seg));

        Assert.Equal(WalErrorKind.Truncated, e.Kind);
        Assert.Equal(Seg7, e.SegmentFileName);
        Assert.Equal(cut, e.SegmentOffset);
        Assert.Contains($"WAL ends inside the record at {victim.Lsn} ({victim.TotalLength} bytes, 50 present)", e.Detail);
    }

    [Fact]
    public void FileCutBetweenRecords_EndsTheWal_UnlessAnotherSegmentFollows()
    {
        // Found by the wal-reader fuzz target: a file ending in the alignment padding before the next record.
        List<WaldumpLine> golden = s_golden.Value;
        int index = Enumerable.Range(1, golden.Count - 1).First(i => Segment(golden[i].Lsn) == 7 && i > 20
            && golden[i - 1].Lsn.Value / PageSize == golden[i].Lsn.Value / PageSize
            && golden[i - 1].Lsn.Value + (ulong)golden[i - 1].TotalLength < golden[i].Lsn.Value);
        WaldumpLine next = golden[index];
        int cut = Offset(golden[index - 1].Lsn) + golden[index - 1].TotalLength + 1;
        byte[] seg = WalTestData.Segment("pg15-1mb", Seg7)[..cut];
        List<DecodedSummary> records = WalTestData.ReadAll([WalSegmentInput.FromMemory(Seg7, seg)]);
        Assert.Equal(s_golden.Value.Count(l => l.Lsn < next.Lsn), records.Count);

        WalFormatException e = ReadExpectingError((Seg7, seg), (Seg8, WalTestData.Segment("pg15-1mb", Seg8)));
        Assert.Equal(WalErrorKind.Truncated, e.Kind);
        Assert.Equal(cut, e.SegmentOffset);
    }

    [Fact]
    public void SegmentCutInsideAPageHeader_IsTruncated()
    {
        byte[] seg = WalTestData.Segment("pg15-1mb", Seg7)[..(5 * PageSize + 10)];

        WalFormatException e = ReadExpectingError((Seg7, seg));

        Assert.Equal(WalErrorKind.Truncated, e.Kind);
        Assert.Equal(5 * PageSize + 10, e.SegmentOffset);
    }

    [Fact]
    public void ShortSegmentFollowedByTheNext_IsTruncatedNotSilentlySkipped()
    {
        byte[] seg7 = WalTestData.Segment("pg15-1mb", Seg7)[..(64 * PageSize)];

        WalFormatException e = ReadExpectingError((Seg7, seg7), (Seg8, WalTestData.Segment("pg15-1mb", Seg8)));

        Assert.Equal(WalErrorKind.Truncated, e.Kind);
        Assert.Equal(Seg7, e.SegmentFileName);
        Assert.Equal(64 * PageSize, e.SegmentOffset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void WrongPageMagic_IsBadPageMagic(int page)
    {
        byte[] seg = WalTestData.Segment("pg15-1mb", Seg7);
        BinaryPrimitives.WriteUInt16LittleEndian(seg.AsSpan(page * PageSize), 0xD10F);

        WalFormatException e = ReadExpectingError((Seg7, seg));

        Assert.Equal(WalErrorKind.BadPageMagic, e.Kind);
        Assert.Equal(page * PageSize, e.SegmentOffset);
        Assert.Contains("0xD10F", e.Detail);
    }

    [Fact]
    public void UnknownXlpInfoBits_AreBadPageHeader()
    {
        byte[] seg = WalTestData.Segment("pg15-1mb", Seg7);
        int info = 0x0100 | seg[2 * PageSize + 2];
        seg[2 * PageSize + 3] = 0x01; // xlp_info high byte

        WalFormatException e = ReadExpectingError((Seg7, seg));

        Assert.Equal(WalErrorKind.BadPageHeader, e.Kind);
        Assert.Equal(2 * PageSize + 2, e.SegmentOffset);
        Assert.Equal($"invalid xlp_info bits 0x{info:X4}", e.Detail);
    }

    [Fact]
    public void WrongPageAddress_IsBadPageHeader()
    {
        byte[] seg = WalTestData.Segment("pg15-1mb", Seg7);
        seg[4 * PageSize + 9] ^= 0x40;

        WalFormatException e = ReadExpectingError((Seg7, seg));

        Assert.Equal(WalErrorKind.BadPageHeader, e.Kind);
        Assert.Equal(4 * PageSize + 8, e.SegmentOffset);
        Assert.Contains($"where 0/{0x700000 + 4 * PageSize:X} was expected", e.Detail);
    }

    [Fact]
    public void ZeroedPageInsideARecord_IsTruncated_ButZeroedTailAtABoundaryIsEndOfWal()
    {
        // A whole zeroed page where a record continues: the WAL stops mid-record.
        WaldumpLine spanning = s_golden.Value.First(l => Segment(l.Lsn) == 7 && l.Lsn.Value % PageSize + (ulong)l.TotalLength > PageSize + 100);
        int nextPage = (int)(Offset(spanning.Lsn) / PageSize + 1) * PageSize;
        byte[] seg = WalTestData.Segment("pg15-1mb", Seg7);
        seg.AsSpan(nextPage).Clear();
        WalFormatException e = ReadExpectingError((Seg7, seg));
        Assert.Equal(WalErrorKind.Truncated, e.Kind);
        Assert.Equal(nextPage, e.SegmentOffset);

        // Zeros from a record boundary on: a partial segment, read to its end without error.
        WaldumpLine restorePoint = s_golden.Value.Last(l => l.Desc.StartsWith("RESTORE_POINT", StringComparison.Ordinal));
        byte[] seg9 = WalTestData.Segment("pg15-1mb", Seg9);
        seg9.AsSpan(Offset(restorePoint.Lsn)).Clear();
        using var reader = new global::Pgark.Wal.Reader.WalReader([WalSegmentInput.FromMemory(Seg9 + ".partial", seg9)]);
        int count = 0;
        while (reader.MoveNext())
        {
            count++;
        }

        Assert.Equal(s_golden.Value.Count(l => Segment(l.Lsn) == 9 && l.Lsn < restorePoint.Lsn), count);
        Assert.Equal(restorePoint.Lsn, reader.EndOfWal);
    }

    [Fact]
    public void SegmentsOutOfOrder_AreSegmentMismatch()
    {
        WalFormatException e = ReadExpectingError((Seg7, WalTestData.Segment("pg15-1mb", Seg7)), (Seg9, WalTestData.Segment("pg15-1mb", Seg9)));

        Assert.Equal(WalErrorKind.SegmentMismatch, e.Kind);
        Assert.Equal(Seg9, e.SegmentFileName);
    }

    [Fact]
    public void FileNameDisagreeingWithPageAddresses_IsSegmentMismatch()
    {
        WalFormatException e = ReadExpectingError((Seg7, WalTestData.Segment("pg15-1mb", Seg8)));

        Assert.Equal(WalErrorKind.SegmentMismatch, e.Kind);
        Assert.Contains("the file name says segment 7 but the first page is at 0/800000", e.Detail);
    }

    [Fact]
    public void RecordAboveTheConfiguredLimit_IsRecordTooLarge()
    {
        WaldumpLine big = s_golden.Value.First(l => l.TotalLength > 1000);

        WalFormatException e = ReadExpectingError(new WalReaderOptions { MaxRecordSize = 1000 }, WalTestData.Segments("pg15-1mb", WalTestData.OneMegabyteSegments).ToArray());

        Assert.Equal(WalErrorKind.RecordTooLarge, e.Kind);
        Assert.Equal(WalTestData.OneMegabyteSegments[Segment(big.Lsn) - 7], e.SegmentFileName);
        Assert.Equal(Offset(big.Lsn), e.SegmentOffset);
        Assert.Contains($"claims {big.TotalLength} bytes, more than the limit of 1000", e.Detail);
    }

    [Fact]
    public void RandomByteFlips_EndInRecordsOrTypedErrors()
    {
        byte[] original = WalTestData.Segment("pg15-1mb", Seg9);
        var random = new Random(20261121);
        int failures = 0;
        for (int i = 0; i < 300; i++)
        {
            byte[] seg = (byte[])original.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                seg[random.Next(0, 0x7C00)] ^= (byte)(1 << random.Next(8));
            }

            try
            {
                WalTestData.ReadAll([WalSegmentInput.FromMemory(Seg9, seg)]);
            }
            catch (WalFormatException e)
            {
                Assert.Equal(Seg9, e.SegmentFileName);
                Assert.InRange(e.SegmentOffset, 0, SegmentSize);
                failures++;
            }
        }

        Assert.True(failures > 250, $"only {failures} of 300 damaged segments were rejected");
    }

    [Fact]
    public void RandomGarbage_IsRejected()
    {
        var random = new Random(7);
        byte[] garbage = new byte[SegmentSize];
        random.NextBytes(garbage);

        WalFormatException e = ReadExpectingError((Seg7, garbage));

        Assert.Equal(WalErrorKind.BadPageHeader, e.Kind);
        Assert.Equal(0, e.SegmentOffset);
    }

    private static WaldumpLine OnePageRecordIn(int segment, int minLength, int skip = 0) =>
        s_golden.Value.Where(l => Segment(l.Lsn) == segment && l.TotalLength >= minLength
            && l.Lsn.Value % PageSize + (ulong)l.TotalLength <= PageSize && l.Lsn.Value % PageSize > 64).Skip(skip).First();

    private static int Segment(Lsn lsn) => (int)(lsn.Value / SegmentSize);

    private static int Offset(Lsn lsn) => (int)(lsn.Value % SegmentSize);

    private static WalFormatException ReadExpectingError(params (string Name, byte[] Bytes)[] segments) =>
        ReadExpectingError(null, segments);

    private static WalFormatException ReadExpectingError(WalReaderOptions? options, params (string Name, byte[] Bytes)[] segments) =>
        Assert.Throws<WalFormatException>(() => WalTestData.ReadAll(WalTestData.Inputs(segments), options));
}
