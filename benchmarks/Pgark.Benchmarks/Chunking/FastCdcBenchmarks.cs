using BenchmarkDotNet.Attributes;
using Pgark.Benchmarks.Codecs;
using Pgark.Repository.Chunking;

namespace Pgark.Benchmarks.Chunking;

/// <summary>FastCDC with the default sizes over 64 MiB: raw cut-point search, and through <see cref="StreamChunker"/>.</summary>
[MemoryDiagnoser]
public class FastCdcBenchmarks
{
    private const int InputSize = 64 << 20;
    private readonly FastCdc _chunker = new(FastCdcOptions.Default);
    private byte[] _mixed = [];
    private byte[] _random = [];

    [GlobalSetup]
    public void Setup()
    {
        _mixed = ZstdSampleData.Create(InputSize);
        _random = new byte[InputSize];
        new Random(5).NextBytes(_random);
    }

    [Benchmark]
    public int FindCutPointsMixed() => CountChunks(_mixed);

    [Benchmark]
    public int FindCutPointsRandom() => CountChunks(_random);

    [Benchmark]
    public async Task<int> StreamChunkerMixed()
    {
        using var chunker = new StreamChunker(new MemoryStream(_mixed, writable: false), _chunker);
        int count = 0;
        while (!(await chunker.ReadChunkAsync()).IsEmpty)
        {
            count++;
        }

        return count;
    }

    private int CountChunks(byte[] data)
    {
        int count = 0;
        for (int position = 0; position < data.Length; count++)
        {
            position += _chunker.FindCutPoint(data.AsSpan(position), isFinal: true);
        }

        return count;
    }
}
