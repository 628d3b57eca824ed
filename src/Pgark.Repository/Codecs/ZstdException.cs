namespace Pgark.Repository.Codecs;

/// <summary>
/// libzstd reported an error (corrupt or truncated frame, checksum mismatch, destination too small, bad parameter),
/// or a frame did not decode to the size the caller expected. <see cref="ErrorName"/> is zstd's own name for it.
/// </summary>
public sealed class ZstdException : Exception
{
    /// <summary>ZSTD_getErrorCode() value, or 0 when the error was detected by pgark (e.g. a size mismatch).</summary>
    public int ErrorCode { get; }

    /// <summary>ZSTD_getErrorName() text, e.g. "Data corruption detected", or pgark's description.</summary>
    public string ErrorName { get; }

    internal ZstdException(string operation, int errorCode, string errorName)
        : base($"zstd {operation} failed: {errorName}")
    {
        ErrorCode = errorCode;
        ErrorName = errorName;
    }
}
