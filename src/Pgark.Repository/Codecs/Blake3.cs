namespace Pgark.Repository.Codecs;

/// <summary>BLAKE3 (hash, keyed hash, derive-key; extendable output), SIMD where the CPU has it.</summary>
public static class Blake3
{
    public const int KeySize = 32;
    public const int OutputSize = 32;

    /// <summary>Unkeyed hash of <paramref name="input"/> into <paramref name="output"/> (any length; 32 is the default digest).</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output) => throw new NotImplementedException();

    /// <summary>Keyed hash (32-byte key).</summary>
    public static void KeyedHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output) => throw new NotImplementedException();

    /// <summary>derive_key mode: context string then key material.</summary>
    public static void DeriveKey(string context, ReadOnlySpan<byte> keyMaterial, Span<byte> output) => throw new NotImplementedException();
}
