using System.Numerics;
using Pgark.Repository.Chunking;
using Pgark.Repository.Format;

namespace Pgark.Repository.Config;

/// <summary>
/// How new data is written (spec §4.1): chunk compression, pack size, the extent size of relation files (page-dedup
/// granularity) and the FastCDC limits of streams. None of them is needed to read data: a zstd frame describes itself, a
/// pack header lists its chunks, a tree record carries its file's extent size and chunk list. So they may change at any
/// time, and old data stays readable.
/// </summary>
/// <param name="CompressionLevel">zstd level per chunk, negative levels allowed; null stores chunks uncompressed.</param>
/// <param name="PackTargetSize">A pack is finished once it reaches this many bytes.</param>
/// <param name="ExtentSize">Bytes per extent of a relation file: a power of two, 8 KiB..4 MiB, a multiple of the page size.</param>
/// <param name="Chunking">FastCDC limits for non-relation files and logical dumps.</param>
public sealed record StorageSettings(int? CompressionLevel, int PackTargetSize, int ExtentSize, FastCdcOptions Chunking)
{
    public const int MinExtentSize = 8 * 1024;
    public const int MaxExtentSize = 4 * 1024 * 1024;
    public const int MinPackTargetSize = 64 * 1024;
    public const int MinCompressionLevel = -7;
    public const int MaxCompressionLevel = 22;

    /// <summary>What a repository without a settings object uses (the values format version 1 always wrote).</summary>
    public static StorageSettings Default { get; } =
        new(3, FormatConstants.DefaultPackTargetSize, FormatConstants.DefaultExtentSize, FastCdcOptions.Default);

    /// <summary>Pages per extent at the default page size.</summary>
    public int PagesPerExtent => ExtentSize / FormatConstants.DefaultPageSize;

    /// <summary>Short form for logs and reports: "zstd:3 pack 32MiB extent 256KiB cdc 32K/128K/512K".</summary>
    public override string ToString()
        => $"{(CompressionLevel is { } l ? "zstd:" + l : "none")} pack {PackTargetSize >> 20}MiB extent {ExtentSize >> 10}KiB "
           + $"cdc {Chunking.MinSize >> 10}K/{Chunking.AverageSize >> 10}K/{Chunking.MaxSize >> 10}K";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (CompressionLevel is { } level && (level is < MinCompressionLevel or > MaxCompressionLevel || level == 0))
            throw new ArgumentException($"zstd level {level} is outside {MinCompressionLevel}..{MaxCompressionLevel} (0 excluded)", nameof(CompressionLevel));
        if (PackTargetSize < MinPackTargetSize || PackTargetSize > FormatConstants.MaxPackSize / 2)
            throw new ArgumentException($"pack target size {PackTargetSize} is outside {MinPackTargetSize}..{FormatConstants.MaxPackSize / 2}",
                nameof(PackTargetSize));
        if (!BitOperations.IsPow2(ExtentSize) || ExtentSize < MinExtentSize || ExtentSize > MaxExtentSize)
            throw new ArgumentException($"extent size {ExtentSize} is not a power of two between {MinExtentSize} and {MaxExtentSize}",
                nameof(ExtentSize));
        if (Chunking.MaxSize > FormatConstants.MaxChunkSize)
            throw new ArgumentException($"FastCDC maximum chunk size {Chunking.MaxSize} is above the chunk limit {FormatConstants.MaxChunkSize}",
                nameof(Chunking));
        Chunking.Validate();
    }
}
