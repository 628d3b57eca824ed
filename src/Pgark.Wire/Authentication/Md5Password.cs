using System.Security.Cryptography;
using System.Text;

namespace Pgark.Wire.Authentication;

/// <summary>PostgreSQL's AuthenticationMD5Password response.</summary>
public static class Md5Password
{
    /// <summary>
    /// "md5" + md5hex(md5hex(password + user) + salt): the inner hash is what pg_authid stores, the outer one binds it
    /// to this connection's 4-byte salt. The user is the role name from the startup packet.
    /// </summary>
    public static string Compute(string user, string password, ReadOnlySpan<byte> salt)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);

        byte[] inner = MD5.HashData(Encoding.UTF8.GetBytes(password + user));
        // The stored form is lowercase hex, 32 ASCII bytes, then the raw salt bytes are appended.
        byte[] innerHex = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(inner));
        byte[] outerInput = new byte[innerHex.Length + salt.Length];
        innerHex.CopyTo(outerInput, 0);
        salt.CopyTo(outerInput.AsSpan(innerHex.Length));
        return "md5" + Convert.ToHexStringLower(MD5.HashData(outerInput));
    }
}
