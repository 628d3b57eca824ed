using Pgark.Wal.Reader;
using Pgark.Wire.Replication;

namespace Pgark.Tests.WalReader;

/// <summary>Starting anywhere: the first record boundary comes from xlp_rem_len, then records at or after the start LSN.</summary>
public sealed class WalReaderPositionTests
{
    private static readonly Lazy<List<WaldumpLine>> s_golden = new(() => WalTestData.GoldenWaldump("pg15-1mb"));

    [Fact]
    public void SegmentStartingWithAContinuation_BeginsAtItsFirstOwnRecord()
    {
        List<DecodedSummary> records = WalTestData.ReadAll(WalTestData.Inputs(WalTestData.Segments("pg15-1mb", WalTestData.OneMegabyteSegments[1..])));

        WaldumpLine first = s_golden.Value.First(l => l.Lsn.Value >= 0x800000);
        Assert.Equal(first.Lsn, records[0].Start);
        Assert.NotEqual(0x800000ul + 40, first.Lsn.Value); // segment 8 does start with the tail of a record from segment 7
        Assert.Equal(s_golden.Value.Count(l => l.Lsn.Value >= 0x800000), records.Count);
    }

    [Fact]
    public void StartLsnAnywhere_YieldsTheFirstRecordAtOrAfterIt()
    {
        List<WaldumpLine> golden = s_golden.Value;
        var random = new Random(15);
        for (int i = 0; i < 25; i++)
        {
            WaldumpLine anchor = golden[random.Next(golden.Count - 1)];
            ulong start = anchor.Lsn.Value + (ulong)(i % 3 == 0 ? 0 : random.Next(1, 9000));
            WaldumpLine expected = golden.First(l => l.Lsn.Value >= start);

            using var reader = new global::Pgark.Wal.Reader.WalReader(
                WalTestData.Inputs(WalTestData.Segments("pg15-1mb", WalTestData.OneMegabyteSegments)),
                new WalReaderOptions { StartLsn = new Lsn(start) });
            Assert.True(reader.MoveNext());
            Assert.True(expected.Lsn == reader.Current.StartLsn, $"start {new Lsn(start)}: got {reader.Current.StartLsn}, expected {expected.Lsn}");
            Assert.True(reader.MoveNext());
            Assert.Equal(golden[golden.IndexOf(expected) + 1].Lsn, reader.Current.StartLsn);
        }
    }

    [Fact]
    public void StartLsnBeforeTheFirstSegment_IsAnArgumentError()
    {
        using var reader = new global::Pgark.Wal.Reader.WalReader(
            WalTestData.Inputs(WalTestData.Segments("pg15-1mb", WalTestData.OneMegabyteSegments[1..2])),
            new WalReaderOptions { StartLsn = new Lsn(0x700100) });

        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => reader.MoveNext());
        Assert.Contains("precedes the first segment given (000000010000000000000008 starts at 0/800000)", e.Message);
    }

    [Fact]
    public void NoInputOrAZeroedSegment_IsAnEmptyWal()
    {
        using var none = new global::Pgark.Wal.Reader.WalReader([]);
        Assert.False(none.MoveNext());

        using var zeroed = new global::Pgark.Wal.Reader.WalReader([WalSegmentInput.FromMemory("000000010000000000000007", new byte[1 << 20])]);
        Assert.False(zeroed.MoveNext());
    }

    [Fact]
    public void EndLsn_IsStartPlusLengthAcrossPageHeaders_AndNextStartIsAligned()
    {
        using var reader = new global::Pgark.Wal.Reader.WalReader(WalTestData.Inputs(WalTestData.Segments("pg15-1mb", WalTestData.OneMegabyteSegments)));
        Lsn previousEnd = default;
        int crossing = 0;
        while (reader.MoveNext())
        {
            WalRecord r = reader.Current;
            if (r.IsSwitch)
            {
                Assert.Equal(0ul, r.EndLsn.Value % (1 << 20));
                continue;
            }

            // Every page boundary crossed adds that page's header: 40 bytes at a segment start, else 24.
            ulong headers = 0;
            for (ulong page = r.StartLsn.Value / 8192 + 1; page <= (r.EndLsn.Value - 1) / 8192; page++)
            {
                headers += page % 128 == 0 ? 40ul : 24ul;
            }

            Assert.Equal(r.StartLsn.Value + r.TotalLength + headers, r.EndLsn.Value);
            crossing += headers > 0 ? 1 : 0;
            if (previousEnd.IsValid && r.StartLsn.Value % 8192 != 24 && r.StartLsn.Value % 8192 != 40)
            {
                Assert.Equal((previousEnd.Value + 7) & ~7ul, r.StartLsn.Value);
            }

            previousEnd = r.EndLsn;
        }

        Assert.True(crossing > 10, "records crossing pages were exercised");
    }
}
