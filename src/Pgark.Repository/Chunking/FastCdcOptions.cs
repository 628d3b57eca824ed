using System.Numerics;

namespace Pgark.Repository.Chunking;

/// <summary>
/// Chunk size limits of the FastCDC chunker. They are part of a repository's configuration: changing them moves
/// every boundary and loses deduplication against existing chunks.
/// </summary>
/// <param name="MinSize">No cut before this many bytes (FastCDC does not even hash them).</param>
/// <param name="AverageSize">Target size; a power of two, its log2 is the number of mask bits.</param>
/// <param name="MaxSize">A cut is forced here.</param>
/// <param name="NormalizationLevel">
/// FastCDC's NC level: before <paramref name="AverageSize"/> the mask has log2(avg)+NC bits (cuts are rarer), after it
/// log2(avg)-NC bits (cuts come sooner), which narrows the size distribution around the average.
/// </param>
public sealed record FastCdcOptions(int MinSize, int AverageSize, int MaxSize, int NormalizationLevel = 2)
{
    /// <summary>Largest allowed <see cref="MaxSize"/>; keeps a chunk (and the chunker's 2x window) a plain array.</summary>
    public const int MaxSizeLimit = 64 << 20;

    /// <summary>
    /// pgark's defaults: 32 KiB / 128 KiB / 512 KiB, NC 2; chunks average about 160 KiB. Chosen by measuring two
    /// pg_dump outputs (178 MB, pgbench scale 10 plus a jsonb table) a few hundred scattered updates apart: 128 KiB
    /// stored 61 MiB of new chunks where 256 KiB stored 84 MiB and 1 MiB 141 MiB, while zstd -3 compressed the
    /// chunks equally well at every size; halving again (64 KiB, 44 MiB) would double the index for less gain.
    /// </summary>
    public static FastCdcOptions Default { get; } = new(32 << 10, 128 << 10, 512 << 10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first limit that is out of order or range.</summary>
    public void Validate()
    {
        if (MinSize < 64)
        {
            throw new ArgumentException($"FastCDC minimum chunk size {MinSize} is below 64 bytes", nameof(MinSize));
        }

        if (!BitOperations.IsPow2(AverageSize))
        {
            throw new ArgumentException($"FastCDC average chunk size {AverageSize} is not a power of two", nameof(AverageSize));
        }

        if (!(MinSize < AverageSize && AverageSize < MaxSize))
        {
            throw new ArgumentException(
                $"FastCDC chunk sizes must satisfy min < average < max; got {MinSize} / {AverageSize} / {MaxSize}",
                nameof(AverageSize));
        }

        if (MaxSize > MaxSizeLimit)
        {
            throw new ArgumentException($"FastCDC maximum chunk size {MaxSize} is above {MaxSizeLimit}", nameof(MaxSize));
        }

        int bits = BitOperations.Log2((uint)AverageSize);
        if (NormalizationLevel < 0 || NormalizationLevel >= bits)
        {
            throw new ArgumentException(
                $"FastCDC normalization level {NormalizationLevel} must be between 0 and {bits - 1} for average {AverageSize}",
                nameof(NormalizationLevel));
        }
    }
}
