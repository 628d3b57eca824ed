using System.Security.Cryptography;
using System.Text;
using Pgark.Wire.Authentication;

namespace Pgark.Wire.Tests.Authentication;

/// <summary>
/// Plays the server side of SCRAM against verifiers that a real PostgreSQL 15 stored in pg_authid
/// (password_encryption=scram-sha-256; CREATE ROLE r PASSWORD E'...'; SELECT rolpassword FROM pg_authid).
/// The server ran its own SASLprep when it stored them, so these pin that pgark prepares passwords the same way.
/// </summary>
public class ScramPostgresVerifierTests
{
    [Theory]
    // U+2168 ROMAN NUMERAL NINE: NFKC turns it into "IX".
    [InlineData("\u2168", "SCRAM-SHA-256$4096:O/Hm61YbLOVb4ZCSNE4ipQ==$c+CSzu9Y4DScTxt6rTzduqEH4hnsVqjqQXY5UzKT9E4=:eUWp9Jnb0fwuQ5JGzPlKr0lpvqPpceJ6I5Y6GUzKFz4=")]
    // Decomposed accent (composed by NFKC) and a SOFT HYPHEN (mapped to nothing).
    [InlineData("pa\u0301ss\u00ADword", "SCRAM-SHA-256$4096:2n9OfooSuFrXHR/JHFTElQ==$ymCsdKTLfXL7dQm95pQ55MKZrw3/pRBlyylVYdEb+EI=:KRiX30r3utTjjpV1DsZK26JPdfeM0CEIJPourX1yTWc=")]
    // U+1F600 is unassigned in Unicode 3.2: SASLprep fails and both sides use the raw password.
    [InlineData("\U0001F600x", "SCRAM-SHA-256$4096:OgaIYLE5w8KT48JFENw4KQ==$QInaOkafOReQEvL4XKXzoKKZcKLX00axdmuK4ly+fsc=:aOSudiDX1OarKurSDVPqvKZpVUAHE+8jb2MzYRThEo8=")]
    [InlineData("pencil", "SCRAM-SHA-256$4096:5SoMZA4D8obvtDYTHdjbLg==$z8UrPfmRj4hLO4RSqrHQjjvxUNMrWsWRIR5IqRd1WzA=:DjUEigXVx6ewMVp4Dsw3vPEj5jTuOONUrTYECvGqJ4Q=")]
    public void ClientProvesPasswordToPostgresVerifier(string password, string verifier)
    {
        Assert.True(RunExchange(password, verifier));
    }

    [Fact]
    public void WrongPasswordFailsTheServerCheck()
        => Assert.False(RunExchange("pencil2",
            "SCRAM-SHA-256$4096:5SoMZA4D8obvtDYTHdjbLg==$z8UrPfmRj4hLO4RSqrHQjjvxUNMrWsWRIR5IqRd1WzA=:DjUEigXVx6ewMVp4Dsw3vPEj5jTuOONUrTYECvGqJ4Q="));

    /// <summary>Returns whether the server would accept the client's proof; when it does, also checks the client accepts the server.</summary>
    private static bool RunExchange(string password, string verifier)
    {
        // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
        string[] parts = verifier.Split('$');
        string[] iterSalt = parts[1].Split(':');
        string[] keys = parts[2].Split(':');
        byte[] storedKey = Convert.FromBase64String(keys[0]);
        byte[] serverKey = Convert.FromBase64String(keys[1]);

        var client = new ScramSha256Client(password, ScramChannelBinding.NotSupported);
        string clientFirst = Encoding.UTF8.GetString(client.CreateClientFirstMessage());
        string clientFirstBare = clientFirst[3..];
        string nonce = clientFirstBare[(clientFirstBare.IndexOf("r=", StringComparison.Ordinal) + 2)..] + "serverpart";
        string serverFirst = $"r={nonce},s={iterSalt[1]},i={iterSalt[0]}";

        string clientFinal = Encoding.UTF8.GetString(client.HandleServerFirstMessage(Encoding.UTF8.GetBytes(serverFirst)));
        int proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        byte[] authMessage = Encoding.UTF8.GetBytes($"{clientFirstBare},{serverFirst},{clientFinal[..proofAt]}");
        byte[] proof = Convert.FromBase64String(clientFinal[(proofAt + 3)..]);

        // The server's check (RFC 5802 section 3): ClientKey = proof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) == StoredKey.
        byte[] clientSignature = HMACSHA256.HashData(storedKey, authMessage);
        byte[] clientKey = proof.Zip(clientSignature, (a, b) => (byte)(a ^ b)).ToArray();
        if (!SHA256.HashData(clientKey).SequenceEqual(storedKey))
            return false;

        client.VerifyServerFinalMessage(Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(HMACSHA256.HashData(serverKey, authMessage))));
        return true;
    }
}
