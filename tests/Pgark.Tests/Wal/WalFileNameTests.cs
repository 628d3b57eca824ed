using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Wal;

public sealed class WalFileNameTests
{
    private const int Segment16MiB = 16 << 20;

    [Theory]
    [InlineData(1u, 3ul, Segment16MiB, "000000010000000000000003")]
    [InlineData(0x10u, 0x100ul, Segment16MiB, "000000100000000100000000")] // timeline 16 is "10" in hex, never "16"
    [InlineData(0xABu, 0x1FFul, Segment16MiB, "000000AB00000001000000FF")]
    [InlineData(2u, 5ul, 1 << 30, "000000020000000100000001")] // 4 segments per log at 1 GiB
    [InlineData(0xFFFFFFFFu, 0ul, 1 << 20, "FFFFFFFF0000000000000000")]
    public void Segment_names_are_upper_case_hex_and_parse_back(uint timeline, ulong segment, int segmentSize, string expected)
    {
        Assert.Equal(expected, WalFileName.Segment(new TimelineId(timeline), segment, segmentSize));
        Assert.True(WalFileName.TryParseSegment(expected, segmentSize, out TimelineId parsedTimeline, out ulong parsedSegment));
        Assert.Equal((timeline, segment), (parsedTimeline.Value, parsedSegment));
        // The wire layer's own naming agrees.
        Assert.Equal(expected, Lsn.FromSegment(segment, 0, segmentSize).WalFileName(new TimelineId(timeline), segmentSize));
    }

    [Theory]
    [InlineData("000000100000000000000003x")]
    [InlineData("00000010000000000000000g")]
    [InlineData("000000100000000000000100")] // seg part 0x100 is out of range for 16 MiB segments (256 per log)
    [InlineData("000000000000000000000001")] // timeline 0 does not exist
    [InlineData("0000001000000000000000ab")] // PostgreSQL writes upper case only
    public void Malformed_segment_names_are_rejected(string name)
        => Assert.False(WalFileName.TryParseSegment(name, Segment16MiB, out _, out _));

    [Fact]
    public void History_names_use_hex_timelines()
    {
        Assert.Equal("00000010.history", WalFileName.History(new TimelineId(16)));
        Assert.True(WalFileName.TryParseHistory("0000001A.history", out TimelineId timeline));
        Assert.Equal(26u, timeline.Value);
        Assert.False(WalFileName.TryParseHistory("0000001a.history", out _));
        Assert.False(WalFileName.TryParseHistory("00000000.history", out _));
        Assert.False(WalFileName.TryParseHistory("00000001.partial", out _));
    }

    [Theory]
    [InlineData("16MB", 16 << 20)]
    [InlineData("1GB", 1 << 30)]
    [InlineData("1024kB", 1 << 20)]
    [InlineData("64MB", 64 << 20)]
    public void Show_wal_segment_size_is_read(string text, int bytes) => Assert.Equal(bytes, WalReceiver.ParseSegmentSize(text));

    [Theory]
    [InlineData("16")]
    [InlineData("24MB")]
    [InlineData("512kB")]
    [InlineData("2GB")]
    [InlineData("16 MB")]
    public void Impossible_segment_sizes_are_refused(string text)
        => Assert.Throws<Pgark.Wire.PgProtocolException>(() => WalReceiver.ParseSegmentSize(text));

    [Fact]
    public void Timeline_history_lines_are_parsed_and_comments_skipped()
    {
        var entries = TimelineHistory.Parse("1\t0/3000148\tno recovery target specified\n# comment\n\n15\t1/A0000000\tat restore point \"x\"\n"u8);
        Assert.Equal(2, entries.Count);
        Assert.Equal((1u, "0/3000148", "no recovery target specified"), (entries[0].Timeline.Value, entries[0].SwitchPoint.ToString(), entries[0].Reason));
        Assert.Equal((15u, "1/A0000000"), (entries[1].Timeline.Value, entries[1].SwitchPoint.ToString()));
        var error = Assert.Throws<FormatException>(() => TimelineHistory.Parse("1 0/3000148\n"u8));
        Assert.Equal("timeline history line \"1 0/3000148\" is not \"timeline<TAB>switch point<TAB>reason\"", error.Message);
    }

    [Theory]
    [InlineData("000000010000000000000002.00000028.backup", true)]
    [InlineData("0000000A00000001000000FF.00FFE000.backup", true)]
    [InlineData("000000010000000000000002.00000028.Backup", false)]
    [InlineData("000000010000000000000002.0000002g.backup", false)]
    [InlineData("000000010000000000000002.000028.backup", false)]
    [InlineData("000000000000000000000002.00000028.backup", false)] // timeline 0
    [InlineData("000000010000000000000002", false)]
    [InlineData("00000002.history", false)]
    public void Backup_history_names_are_recognised(string name, bool expected)
        => Assert.Equal(expected, WalFileName.IsBackupHistory(name));
}
