using System.Security.Cryptography;
using System.Text;

namespace Pgark.Cluster;

/// <summary>
/// Password verifiers in the forms pg_authid stores. initdb's --pwfile passes the password to
/// <c>ALTER ROLE ... PASSWORD</c>, which stores an already-encrypted string as it is; so handing initdb a
/// verifier chooses the stored form (md5 or SCRAM) whatever the major's default password_encryption is.
/// </summary>
internal static class PasswordVerifier
{
    private const int ScramIterations = 4096; // PostgreSQL's scram_iterations default
    private const int ScramSaltLength = 16;

    /// <summary>"md5" followed by hex(md5(password || user)), as PostgreSQL's pg_md5_encrypt makes it.</summary>
    public static string Md5(string user, string password)
        => "md5" + Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + user)));

    /// <summary>
    /// "SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey" (RFC 5803 as PostgreSQL's scram_build_secret writes it).
    /// The password is used as UTF-8 without SASLprep, which is the identity for ASCII passwords.
    /// </summary>
    public static string ScramSha256(string password) => ScramSha256(password, RandomNumberGenerator.GetBytes(ScramSaltLength));

    internal static string ScramSha256(string password, byte[] salt)
    {
        byte[] salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, ScramIterations,
            HashAlgorithmName.SHA256, 32);
        byte[] clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        byte[] storedKey = SHA256.HashData(clientKey);
        byte[] serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${ScramIterations}:{Convert.ToBase64String(salt)}" +
               $"${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
