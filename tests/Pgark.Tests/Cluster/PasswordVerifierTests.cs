using Pgark.Cluster;

namespace Pgark.Tests.Cluster;

// Expected values computed independently with Python's hashlib/hmac (pbkdf2_hmac, sha256, md5).
public sealed class PasswordVerifierTests
{
    [Fact]
    public void Md5_is_md5_of_password_then_user_in_hex_after_the_prefix()
        => Assert.Equal("md553f48b7c4b76a86ce72276c5755f217d", PasswordVerifier.Md5("postgres", "secret"));

    [Fact]
    public void Scram_verifier_has_postgres_layout_and_rfc5802_keys()
    {
        byte[] salt = Convert.FromBase64String("c2FsdHNhbHRzYWx0c2FsdA==");

        Assert.Equal("SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0c2FsdA==$Y7KMtnzzL+zDqi0RtBNdAPJekq+PCg4eCcAMKDtLILQ=:" +
                     "c1MMj1kLUJb96FIM7IjzQUXiW2pIi8LDbQl55vL1oRo=", PasswordVerifier.ScramSha256("pencil", salt));
    }

    [Fact]
    public void Scram_verifier_draws_a_fresh_salt_each_time()
        => Assert.NotEqual(PasswordVerifier.ScramSha256("pencil"), PasswordVerifier.ScramSha256("pencil"));
}
