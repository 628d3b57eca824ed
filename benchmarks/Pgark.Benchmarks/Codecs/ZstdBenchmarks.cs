using BenchmarkDotNet.Attributes;
using Pgark.Repository.Codecs;

namespace Pgark.Benchmarks.Codecs;

/// <summary>
/// One-shot zstd on 256 KiB chunks (pgark's chunk size range) of an 8 MiB mixed buffer, through the per-thread
/// contexts of <see cref="Zstd"/>. Throughput = 8 MiB / mean; allocations must be zero.
/// </summary>
[MemoryDiagnoser]
public class ZstdBenchmarks
{
    private const int ChunkSize = 256 << 10;
    private byte[] _plain = [];
    private byte[] _compressed = [];
    private int[] _compressedLengths = [];
    private byte[] _decoded = [];

    [Params(-1, 1, 3, 6, 9)]
    public int Level { get; set; }

    public static int InputSize => 8 << 20;

    [GlobalSetup]
    public void Setup()
    {
        _plain = ZstdSampleData.Create(InputSize);
        int chunks = InputSize / ChunkSize;
        _compressed = new byte[chunks * Zstd.CompressBound(ChunkSize)];
        _compressedLengths = new int[chunks];
        _decoded = new byte[ChunkSize];
        long total = Compress();
        Console.WriteLine($"// level {Level}: ratio {(double)InputSize / total:F3}");
    }

    [Benchmark]
    public long Compress()
    {
        long total = 0;
        int bound = Zstd.CompressBound(ChunkSize);
        for (int i = 0; i < _compressedLengths.Length; i++)
        {
            int length = Zstd.Compress(_plain.AsSpan(i * ChunkSize, ChunkSize), _compressed.AsSpan(i * bound, bound), Level);
            _compressedLengths[i] = length;
            total += length;
        }

        return total;
    }

    [Benchmark]
    public void Decompress()
    {
        int bound = Zstd.CompressBound(ChunkSize);
        for (int i = 0; i < _compressedLengths.Length; i++)
        {
            Zstd.DecompressExact(_compressed.AsSpan(i * bound, _compressedLengths[i]), _decoded);
        }
    }
}
