using System.Text;
using Pgark.Wal.Reader;

namespace Pgark.Tests.WalReader;

/// <summary>Persisted PostgreSQL constants pgark relies on. A change here means a PostgreSQL format change: add, never edit.</summary>
public sealed class WalFormatTests
{
    [Fact]
    public void PageMagicTable_IsPinned()
    {
        Assert.Equal(
            [(13, 0xD106), (14, 0xD10D), (15, 0xD110), (16, 0xD113), (17, 0xD116), (18, 0xD118)],
            WalVersion.All.Select(v => (v.Major, (int)v.PageMagic)));
        Assert.Equal(15, WalVersion.FromPageMagic(0xD110)!.Major);
        Assert.Null(WalVersion.FromPageMagic(0xD101));
        Assert.Equal(WalImageFlagsLayout.Pg13, WalVersion.FromMajor(14)!.ImageFlags);
        Assert.Equal(WalImageFlagsLayout.Pg15, WalVersion.FromMajor(15)!.ImageFlags);
        Assert.Equal(16, WalVersion.FromMajor(18)!.DroppedStatsItemSize);
    }

    [Fact]
    public void Crc32C_MatchesTheCastagnoliCheckValue()
    {
        // The CRC catalogue's check value for CRC-32/ISCSI over "123456789".
        uint crc = WalCrc32C.Finish(WalCrc32C.Append(WalCrc32C.Init, Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xE3069283u, crc);
    }

    [Fact]
    public void ResourceManagerNames_MatchPgWaldump()
    {
        Assert.Equal("XLOG", WalResourceManagers.Name(0));
        Assert.Equal("Transaction", WalResourceManagers.Name(1));
        Assert.Equal("Heap", WalResourceManagers.Name((byte)WalResourceManager.Heap));
        Assert.Equal("LogicalMessage", WalResourceManagers.Name(21));
        Assert.Equal("custom130", WalResourceManagers.Name(130));
        Assert.False(WalResourceManagers.IsValidId(22));
        Assert.True(WalResourceManagers.IsValidId(128));
        Assert.Equal("INSERT+INIT", WalRecordTypes.Identify(WalResourceManager.Heap, 0x80));
        Assert.Equal("DELETE", WalRecordTypes.Identify(WalResourceManager.Heap, 0x10));
        Assert.Equal("RESTORE_POINT", WalRecordTypes.Identify(WalResourceManager.Xlog, 0x70));
    }
}
