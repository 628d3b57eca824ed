using System.Security.Cryptography;
using System.Text;
using Pgark.Repository.Binary;
using Pgark.Repository.Format;

namespace Pgark.Repository.Crypto;

/// <summary>
/// Body of a key file (spec §9): the 32-byte master key wrapped by AES-256-GCM under a PBKDF2-HMAC-SHA256 key.
/// Offsets: 0 Kdf, 1..3 reserved, 4 Iterations, 8 RepositoryId (16), 24 Salt (32), 56 Nonce (12), 68 wrapped key + tag (48).
/// </summary>
internal static class KeyFile
{
    public const int BodySize = 116;
    private const int AadLength = 68;
    public const int MasterKeySize = 32;

    public static (byte[] Body, byte[] MasterKey) Create(string passphrase, ReadOnlySpan<byte> repositoryId, int iterations)
    {
        var masterKey = RandomNumberGenerator.GetBytes(MasterKeySize);
        return (Wrap(masterKey, passphrase, repositoryId, iterations), masterKey);
    }

    public static byte[] Wrap(ReadOnlySpan<byte> masterKey, string passphrase, ReadOnlySpan<byte> repositoryId, int iterations)
    {
        var body = new byte[BodySize];
        body[0] = (byte)KdfAlgorithm.Pbkdf2Sha256;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)iterations);
        repositoryId.CopyTo(body.AsSpan(8, 16));
        RandomNumberGenerator.Fill(body.AsSpan(24, 32));
        RandomNumberGenerator.Fill(body.AsSpan(56, 12));
        var kek = DeriveKek(passphrase, body.AsSpan(24, 32), iterations);
        using var gcm = new AesGcm(kek, 16);
        gcm.Encrypt(body.AsSpan(56, 12), masterKey, body.AsSpan(68, 32), body.AsSpan(100, 16), body.AsSpan(0, AadLength));
        return body;
    }

    /// <summary>The master key, or null when the passphrase does not open this key file.</summary>
    public static byte[]? TryOpen(ReadOnlySpan<byte> body, string passphrase, ReadOnlySpan<byte> repositoryId)
    {
        var reader = new ByteReader(body);
        var kdf = reader.U8("Kdf");
        if (kdf != (byte)KdfAlgorithm.Pbkdf2Sha256)
            throw new InvalidDataException($"unknown key derivation function {kdf}");
        reader.Reserved(3, "key file bytes 1..3");
        var iterations = reader.U32("Iterations");
        if (iterations < FormatConstants.MinimumKdfIterations || iterations > int.MaxValue)
            throw new InvalidDataException($"iteration count {iterations} is outside {FormatConstants.MinimumKdfIterations}..{int.MaxValue}");
        if (!reader.Bytes(16, "RepositoryId").SequenceEqual(repositoryId))
            throw new InvalidDataException("key file belongs to another repository");
        reader.Bytes(BodySize - reader.Position, "key material");
        reader.ExpectEnd("key file");
        var kek = DeriveKek(passphrase, body.Slice(24, 32), (int)iterations);
        var masterKey = new byte[MasterKeySize];
        try
        {
            using var gcm = new AesGcm(kek, 16);
            gcm.Decrypt(body.Slice(56, 12), body.Slice(68, 32), body.Slice(100, 16), masterKey, body[..AadLength]);
            return masterKey;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] DeriveKek(string passphrase, ReadOnlySpan<byte> salt, int iterations)
        => Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, iterations, HashAlgorithmName.SHA256, 32);
}
