using System.Security.Cryptography;
using Pgark.Repository.Codecs;
using Pgark.Repository.Format;

namespace Pgark.Repository.Crypto;

/// <summary>
/// AES-256-GCM with a 192-bit random nonce (spec §9): the first 12 nonce bytes derive a one-off subkey with keyed BLAKE3,
/// the last 12 are the GCM nonce. One repository key can then seal any number of chunks without GCM's 2^32 random-nonce
/// limit. Layout: nonce (24) ‖ ciphertext ‖ tag (16).
/// </summary>
public sealed class SealedBox
{
    public const int NonceSize = 24;
    public const int TagSize = 16;
    public const int Overhead = NonceSize + TagSize;

    private readonly byte[] _dataKey;

    private SealedBox(byte[] dataKey) => _dataKey = dataKey;

    public static SealedBox FromMasterKey(ReadOnlySpan<byte> masterKey)
    {
        var key = new byte[32];
        Blake3.DeriveKey(FormatConstants.DataKeyContext, masterKey, key);
        return new SealedBox(key);
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var sealedBytes = new byte[plaintext.Length + Overhead];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = CreateCipher(nonce);
        gcm.Encrypt(nonce[12..], plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length),
            sealedBytes.AsSpan(NonceSize + plaintext.Length, TagSize), associatedData);
        return sealedBytes;
    }

    /// <summary>Opens a sealed box; throws <see cref="CryptographicException"/> when it was not sealed with this key and data.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedBytes, ReadOnlySpan<byte> associatedData)
    {
        if (sealedBytes.Length < Overhead)
            throw new CryptographicException($"sealed box of {sealedBytes.Length} bytes is shorter than its {Overhead}-byte overhead");
        var plaintext = new byte[sealedBytes.Length - Overhead];
        var nonce = sealedBytes[..NonceSize];
        using var gcm = CreateCipher(nonce);
        gcm.Decrypt(nonce[12..], sealedBytes.Slice(NonceSize, plaintext.Length), sealedBytes[^TagSize..], plaintext, associatedData);
        return plaintext;
    }

    private AesGcm CreateCipher(ReadOnlySpan<byte> nonce)
    {
        Span<byte> subkey = stackalloc byte[32];
        Blake3.KeyedHash(_dataKey, nonce[..12], subkey);
        var gcm = new AesGcm(subkey, TagSize);
        CryptographicOperations.ZeroMemory(subkey);
        return gcm;
    }
}
