namespace Pgark.Repository.Codecs;

/// <summary>One-shot zstd through the system libzstd.so.1.</summary>
public static class Zstd
{
    /// <summary>Upper bound of the compressed size of <paramref name="sourceLength"/> bytes (ZSTD_compressBound).</summary>
    public static int CompressBound(int sourceLength) => throw new NotImplementedException();

    /// <summary>Compresses into <paramref name="destination"/>, returns bytes written. Negative levels allowed.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level) => throw new NotImplementedException();

    /// <summary>Decompresses a whole frame into <paramref name="destination"/>, returns bytes written; throws on corrupt input.</summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination) => throw new NotImplementedException();
}
