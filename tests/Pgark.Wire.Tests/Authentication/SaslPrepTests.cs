using Pgark.Wire.Authentication;

namespace Pgark.Wire.Tests.Authentication;

public class SaslPrepTests
{
    // Expected strings from python3 unicodedata.ucd_3_2_0.normalize("NFKC", ...) and RFC 4013 section 3 examples.
    [Theory]
    [InlineData("I\u00ADX", "IX")]            // RFC 4013: SOFT HYPHEN mapped to nothing
    [InlineData("user", "user")]
    [InlineData("\u00AA", "a")]               // RFC 4013: compatibility mapping
    [InlineData("\u2168", "IX")]              // RFC 4013: ROMAN NUMERAL NINE
    [InlineData("a\u0301", "\u00E1")]          // decomposed accent composes
    [InlineData("e\u0301\u0327", "\u0229\u0301")] // canonical reordering (cedilla class 202 before acute 230)
    [InlineData("\uFB01", "fi")]
    [InlineData("\u1100\u1161\u11A8", "\uAC01")] // Hangul jamo compose algorithmically
    [InlineData("\uFF21\uFF22", "AB")]        // fullwidth letters
    [InlineData("\u1E9B\u0323", "\u1E69")]
    [InlineData("a\u00A0b\u3000c", "a b c")]  // non-ASCII spaces become U+0020
    [InlineData("p\u00E4ssw\u00F6rd", "p\u00E4ssw\u00F6rd")]
    public void PreparesLikeRfc4013(string input, string expected)
    {
        Assert.True(SaslPrep.TryPrepare(input, out string? prepared));
        Assert.Equal(expected, prepared);
        Assert.Equal(expected, SaslPrep.Prepare(input));
    }

    [Theory]
    [InlineData("\u0007")]             // RFC 4013: prohibited control character
    [InlineData("\u0627\u0031")]       // RFC 4013: bidi rule violation (RandALCat not at the end)
    [InlineData("a\u0627")]            // mixes LCat and RandALCat
    [InlineData("\U0001F600x")]        // unassigned in Unicode 3.2
    [InlineData("\uE000x")]            // private use
    [InlineData("x\uD800")]            // lone surrogate
    public void FailuresFallBackToTheRawPassword(string input)
    {
        Assert.False(SaslPrep.TryPrepare(input, out _));
        // PostgreSQL's client and server both use the password unchanged when SASLprep fails.
        Assert.Same(input, SaslPrep.Prepare(input));
    }

    [Fact]
    public void AsciiIsPassedThroughUntouchedLikePostgres()
    {
        const string withControl = "pa\tss\u0001";
        Assert.Same(withControl, SaslPrep.Prepare(withControl));
    }
}
