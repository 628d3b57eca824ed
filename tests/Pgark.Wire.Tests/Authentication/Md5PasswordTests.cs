using Pgark.Wire.Authentication;

namespace Pgark.Wire.Tests.Authentication;

public class Md5PasswordTests
{
    // python3: inner = hashlib.md5(b"secret" + b"postgres").hexdigest();
    //          "md5" + hashlib.md5(inner.encode() + bytes([1, 2, 3, 4])).hexdigest()
    [Fact]
    public void MatchesPostgresAlgorithm()
        => Assert.Equal("md5bb41a296aab6baccb36ff243a562abff", Md5Password.Compute("postgres", "secret", [1, 2, 3, 4]));

    [Fact]
    public void SaltChangesTheResponse()
        => Assert.NotEqual(Md5Password.Compute("postgres", "secret", [1, 2, 3, 4]), Md5Password.Compute("postgres", "secret", [1, 2, 3, 5]));
}
