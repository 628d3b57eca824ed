using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using static Pgark.Repository.Codecs.Blake3Constants;

namespace Pgark.Repository.Codecs;

/// <summary>BLAKE3 (hash, keyed hash, derive-key; extendable output), SIMD where the CPU has it.</summary>
public static class Blake3
{
    public const int KeySize = 32;
    public const int OutputSize = 32;

    /// <summary>Unkeyed hash of <paramref name="input"/> into <paramref name="output"/> (any length; 32 is the default digest).</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output) =>
        HashCore(Blake3Backends.Best, input, IVBytes, 0, output);

    /// <summary>Keyed hash (32-byte key).</summary>
    public static void KeyedHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output)
    {
        CheckKey(key);
        HashCore(Blake3Backends.Best, input, key, Blake3Constants.KeyedHash, output);
    }

    /// <summary>derive_key mode: context then key material.</summary>
    public static void DeriveKey(string context, ReadOnlySpan<byte> keyMaterial, Span<byte> output)
    {
        Span<byte> contextKey = stackalloc byte[KeySize];
        HashContext(context, contextKey);
        HashCore(Blake3Backends.Best, keyMaterial, contextKey, DeriveKeyMaterial, output);
    }

    /// <summary>
    /// Unkeyed hash spread over the thread pool, for single large inputs (worth it from about 1 MiB). Same output
    /// as <see cref="Hash"/>. Opt-in: when many inputs are hashed concurrently, plain <see cref="Hash"/> per
    /// thread uses the cores better.
    /// </summary>
    public static void HashParallel(ReadOnlySpan<byte> input, Span<byte> output) =>
        Blake3Parallel.Hash(Blake3Backends.Best, input, IVBytes, 0, output);

    /// <summary>One-shot hash on a chosen backend; tests use it to compare the scalar and vector paths.</summary>
    internal static void HashCore(
        Blake3Backend backend, ReadOnlySpan<byte> input, ReadOnlySpan<byte> key, uint flags, Span<byte> output)
    {
        if (input.Length <= ChunkLength)
        {
            var chunk = new Blake3ChunkState(key, 0, flags);
            chunk.Update(input);
            chunk.Output().RootBytes(0, output);
            return;
        }

        Span<byte> rootBlock = stackalloc byte[BlockLength];
        Blake3Tree.CompressToParentBlock(backend, input, key, 0, flags, rootBlock);
        Blake3Output.ForParent(key, rootBlock, flags).RootBytes(0, output);
    }

    /// <summary>derive_key's first pass: the context string, UTF-8 encoded, hashed into the key for the material.</summary>
    internal static void HashContext(string context, Span<byte> contextKey)
    {
        ArgumentNullException.ThrowIfNull(context);
        int maxBytes = Encoding.UTF8.GetMaxByteCount(context.Length);
        byte[]? rented = maxBytes > 256 ? ArrayPool<byte>.Shared.Rent(maxBytes) : null;
        Span<byte> buffer = rented ?? stackalloc byte[256];
        int length = Encoding.UTF8.GetBytes(context, buffer);
        HashCore(Blake3Backends.Best, buffer[..length], IVBytes, DeriveKeyContext, contextKey[..KeySize]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    internal static void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            ThrowBadKeyLength(key.Length);
        }
    }

    [DoesNotReturn]
    private static void ThrowBadKeyLength(int length) =>
        throw new ArgumentException($"BLAKE3 keyed hash needs a key of exactly {KeySize} bytes, got {length}; derive one with Blake3.DeriveKey if the secret has another length.", "key");
}
