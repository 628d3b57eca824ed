using System.Text;
using Pgark.Wire.Authentication;

namespace Pgark.Wire.Tests.Authentication;

public class ScramSha256ClientTests
{
    private const string ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string CombinedNonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";

    [Fact]
    public void Rfc7677ExampleExchange()
    {
        // RFC 7677 section 3: user "user", password "pencil".
        var client = new ScramSha256Client("pencil", ScramChannelBinding.NotSupported, null, ClientNonce, userName: "user");

        Assert.Equal("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", Text(client.CreateClientFirstMessage()));
        Assert.Equal("c=biws,r=" + CombinedNonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            Text(client.HandleServerFirstMessage(Bytes(ServerFirst))));
        client.VerifyServerFinalMessage(Bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
    }

    // Expected values from python3 (hashlib.pbkdf2_hmac, hmac, base64) with the RFC 7677 salt and nonces,
    // client-first-message-bare "n=,r=rOprNGfwEbeRWgbNEkqO" (PostgreSQL ignores the SCRAM user name).
    [Theory]
    [InlineData(ScramChannelBinding.NotSupported, "n,,", "biws", "qvT2SWdEH5Q06albL+hjSYuUhCG7VndFyzIb7CK4n9k=", "3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=")]
    [InlineData(ScramChannelBinding.SupportedButNotUsed, "y,,", "eSws", "VpuC5DGQa5ro9tXE9MnKs69NH1nxnuregZZcclqIGfM=", "FOmOj9BpTGwvnzwBtWQjBaPmVxT9I8IeHBOhcIPu3us=")]
    public void PostgresStyleExchangeWithEmptyUserName(ScramChannelBinding binding, string gs2, string cbind, string proof, string serverSignature)
    {
        var client = new ScramSha256Client("pencil", binding, clientNonce: ClientNonce);

        Assert.Equal("SCRAM-SHA-256", client.Mechanism);
        Assert.Equal(gs2 + "n=,r=" + ClientNonce, Text(client.CreateClientFirstMessage()));
        Assert.Equal($"c={cbind},r={CombinedNonce},p={proof}", Text(client.HandleServerFirstMessage(Bytes(ServerFirst))));
        client.VerifyServerFinalMessage(Bytes("v=" + serverSignature));
    }

    [Fact]
    public void ChannelBindingSendsGs2HeaderAndCertificateHash()
    {
        byte[] hash = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var client = new ScramSha256Client("pencil", ScramChannelBinding.TlsServerEndPoint, hash, ClientNonce);

        Assert.Equal("SCRAM-SHA-256-PLUS", client.Mechanism);
        Assert.Equal("p=tls-server-end-point,,n=,r=" + ClientNonce, Text(client.CreateClientFirstMessage()));
        Assert.Equal("c=cD10bHMtc2VydmVyLWVuZC1wb2ludCwsAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,r=" + CombinedNonce
                     + ",p=Q8h71kjaoMzNI7dPksDrhRE/5mTUObF0fUHVIgBOWQg=",
            Text(client.HandleServerFirstMessage(Bytes(ServerFirst))));
        client.VerifyServerFinalMessage(Bytes("v=ykwoqH8mLqO5AQCeuwwf6lsj9f8zyJZT/CcvAbN4Ssc="));
    }

    [Fact]
    public void PasswordIsSaslPrepped()
    {
        // U+2168 ROMAN NUMERAL NINE normalizes (NFKC) to "IX"; python3 gives this proof for password "IX".
        var client = new ScramSha256Client("\u2168", ScramChannelBinding.NotSupported, clientNonce: ClientNonce);
        client.CreateClientFirstMessage();
        Assert.EndsWith(",p=2b5mOdeOFNUaOWSdK05u8Z+vtErTpXDPfs6KR0NuxVw=", Text(client.HandleServerFirstMessage(Bytes(ServerFirst))));
        client.VerifyServerFinalMessage(Bytes("v=vHUKdVFO/k6ajWxZtBGhPiGnonJjlEa/nZSoSrrpsFI="));
    }

    [Fact]
    public void WrongServerSignatureIsAnAuthenticationFailure()
    {
        var client = Started();
        var error = Assert.Throws<PgConnectionException>(
            () => client.VerifyServerFinalMessage(Bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")));
        Assert.Equal(PgConnectionFailure.Authentication, error.Failure);
        Assert.Equal("the server's SCRAM signature does not match: the server does not know the password, or the exchange was tampered with",
            error.Message);
    }

    [Fact]
    public void ServerErrorAttributeIsReported()
    {
        var error = Assert.Throws<PgConnectionException>(() => Started().VerifyServerFinalMessage(Bytes("e=invalid-proof")));
        Assert.Equal("the server rejected the SCRAM exchange: invalid-proof", error.Message);
    }

    [Theory]
    [InlineData("r=someoneElsesNonce123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "the SCRAM server nonce does not extend the client nonce")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "the SCRAM server nonce does not extend the client nonce")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0", "SCRAM iteration count \"0\" is outside 1..10000000")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2000000000", "SCRAM iteration count \"2000000000\" is outside 1..10000000")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1", "SCRAM iteration count \"-1\" is outside 1..10000000")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOx,s=!!!,i=4096", "malformed SCRAM salt (not base64): \"!!!\"")]
    [InlineData("r=rOprNGfwEbeRWgbNEkqOx,i=4096", "malformed SCRAM server-first-message (expected \"r=…,s=…,i=…\"): \"r=rOprNGfwEbeRWgbNEkqOx,i=4096\"")]
    [InlineData("m=ext,r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "the server requires a SCRAM extension pgark does not support")]
    public void MalformedServerFirstMessagesAreRejected(string serverFirst, string expected)
    {
        var client = new ScramSha256Client("pencil", ScramChannelBinding.NotSupported, clientNonce: ClientNonce);
        client.CreateClientFirstMessage();
        var error = Assert.Throws<PgConnectionException>(() => client.HandleServerFirstMessage(Bytes(serverFirst)));
        Assert.Equal(PgConnectionFailure.Authentication, error.Failure);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void RandomNoncesDiffer()
    {
        string a = Text(new ScramSha256Client("x", ScramChannelBinding.NotSupported).CreateClientFirstMessage());
        string b = Text(new ScramSha256Client("x", ScramChannelBinding.NotSupported).CreateClientFirstMessage());
        Assert.StartsWith("n,,n=,r=", a);
        Assert.Equal(8 + 24, a.Length); // 18 random bytes are 24 base64 characters
        Assert.NotEqual(a, b);
    }

    private static ScramSha256Client Started()
    {
        var client = new ScramSha256Client("pencil", ScramChannelBinding.NotSupported, clientNonce: ClientNonce);
        client.CreateClientFirstMessage();
        client.HandleServerFirstMessage(Bytes(ServerFirst));
        return client;
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
