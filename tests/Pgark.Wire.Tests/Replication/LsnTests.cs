using Pgark.Wire.Replication;

namespace Pgark.Wire.Tests.Replication;

public class LsnTests
{
    [Theory]
    [InlineData("0/0", 0UL)]
    [InlineData("16/B374D848", 0x16_B374D848UL)]
    [InlineData("FFFFFFFF/FFFFFFFF", ulong.MaxValue)]
    [InlineData("0/1000000", 0x1000000UL)]
    public void ParsesAndFormatsPostgresText(string text, ulong value)
    {
        Assert.Equal(value, Lsn.Parse(text).Value);
        Assert.Equal(text, new Lsn(value).ToString());
        Assert.Equal(text, $"{new Lsn(value)}");
    }

    [Fact]
    public void ParsingIsCaseInsensitive() => Assert.Equal(Lsn.Parse("16/B374D848"), Lsn.Parse("16/b374d848"));

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("0/")]
    [InlineData("/0")]
    [InlineData("1/2/3")]
    [InlineData("123456789/0")]
    [InlineData("0/123456789")]
    [InlineData("G/0")]
    [InlineData("-1/0")]
    [InlineData(" 1/0")]
    public void RejectsMalformedText(string text)
    {
        Assert.False(Lsn.TryParse(text, out _));
        var e = Assert.Throws<FormatException>(() => Lsn.Parse(text));
        Assert.Equal($"'{text}' is not a WAL location; expected two hex numbers like 16/B374D848", e.Message);
    }

    [Fact]
    public void ComparesAndDoesArithmetic()
    {
        Lsn a = Lsn.Parse("1/FFFFFFFF");
        Lsn b = a + 1;
        Assert.Equal("2/0", b.ToString());
        Assert.True(a < b && b > a && a <= b && a != b);
        Assert.Equal(1, b - a);
        Assert.Equal(-1, a - b);
        Assert.Equal(a, b - 1UL);
        Assert.Throws<OverflowException>(() => new Lsn(ulong.MaxValue) + 1);
        Assert.False(Lsn.Invalid.IsValid);
    }

    [Fact]
    public void SegmentMathMatchesPostgres()
    {
        const int Size16M = 16 << 20;
        Lsn lsn = Lsn.Parse("16/B374D848");
        Assert.Equal(0x16B3UL, lsn.SegmentNumber(Size16M));
        Assert.Equal(0x74D848, lsn.SegmentOffset(Size16M));
        Assert.Equal(Lsn.Parse("16/B3000000"), lsn.SegmentStart(Size16M));
        Assert.Equal(lsn, Lsn.FromSegment(0x16B3, 0x74D848, Size16M));
        // pg_walfile_name('16/B374D848') on timeline 1 with 16 MiB segments.
        Assert.Equal("0000000100000016000000B3", lsn.WalFileName(new TimelineId(1), Size16M));
        Assert.Equal("00000003000000160000002C", lsn.WalFileName(new TimelineId(3), 64 << 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => lsn.SegmentNumber(3 << 20));
    }

    [Fact]
    public void TimelineIds()
    {
        Assert.Equal("0000000A.history", TimelineId.Parse("10").HistoryFileName);
        Assert.Throws<FormatException>(() => TimelineId.Parse("0"));
        Assert.Throws<FormatException>(() => TimelineId.Parse("-1"));
        Assert.True(new TimelineId(2) > new TimelineId(1));
    }
}
