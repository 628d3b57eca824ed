using System.Text;
using Pgark.Physical.Restore;

namespace Pgark.Tests.Physical.Restore;

public sealed class ManifestFileChecksumTests
{
    // CRC-32C check value: "123456789" -> 0xE3069283; an x86 server's manifest lists its bytes in memory order.
    [Theory]
    [InlineData("839206e3")]
    [InlineData("E3069283")] // a big-endian server's order
    public void Crc32c_matches_the_check_value_in_either_byte_order(string listed)
    {
        using var checksum = ManifestFileChecksum.For("CRC32C")!;
        checksum.Append(Encoding.ASCII.GetBytes("12345"));
        checksum.Append(Encoding.ASCII.GetBytes("6789"));
        Assert.True(checksum.Matches(listed, out string actual));
        Assert.Equal("839206e3", actual);
    }

    [Fact]
    public void Crc32c_refuses_another_value()
    {
        using var checksum = ManifestFileChecksum.For("crc32c")!;
        checksum.Append(Encoding.ASCII.GetBytes("123456780"));
        Assert.False(checksum.Matches("839206e3", out _));
    }

    [Fact]
    public void Sha256_is_the_digest_hex()
    {
        using var checksum = ManifestFileChecksum.For("SHA256")!;
        checksum.Append(Encoding.ASCII.GetBytes("abc"));
        Assert.True(checksum.Matches("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", out string actual));
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", actual);
    }

    [Fact]
    public void None_checks_size_only_and_an_unknown_algorithm_is_refused()
    {
        Assert.Null(ManifestFileChecksum.For("NONE"));
        Assert.Null(ManifestFileChecksum.For(null));
        var e = Assert.Throws<PhysicalRestoreException>(() => ManifestFileChecksum.For("SHA224"));
        Assert.Equal("backup_manifest uses checksum algorithm SHA224, which pgark cannot verify", e.Message);
    }
}
