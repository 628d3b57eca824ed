using Pgark.Cluster;

namespace Pgark.Tests.Cluster;

public sealed class ConnInfoQuotingTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "''")]
    [InlineData("two words", "'two words'")]
    [InlineData("it's", @"'it\'s'")]
    [InlineData(@"back\slash", @"'back\\slash'")]
    public void Values_are_quoted_as_libpq_reads_them(string value, string expected)
        => Assert.Equal(expected, LocalCluster.QuoteConnInfoValue(value));
}
