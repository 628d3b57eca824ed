using BenchmarkDotNet.Attributes;
using Pgark.Repository.Codecs;

namespace Pgark.Benchmarks.Codecs;

/// <summary>
/// Level 3 on 256 KiB chunks of a 256 MiB mixed buffer with two threads: the in-process counterpart of
/// <c>zstd -3 -T2</c> on the same bytes (which <see cref="WriteSampleFile"/> can write out for the CLI).
/// </summary>
[MemoryDiagnoser]
public class ZstdParallelBenchmarks
{
    private const int ChunkSize = 256 << 10;
    private const int InputSize = 256 << 20;
    private byte[] _plain = [];
    private byte[][] _destinations = [];

    [GlobalSetup]
    public void Setup()
    {
        _plain = ZstdSampleData.Create(InputSize);
        _destinations = [new byte[Zstd.CompressBound(ChunkSize)], new byte[Zstd.CompressBound(ChunkSize)]];
        string? path = Environment.GetEnvironmentVariable("PGARK_ZSTD_SAMPLE_FILE");
        if (path is not null)
        {
            WriteSampleFile(path);
        }
    }

    /// <summary>Writes the 256 MiB sample so <c>zstd -3 -T2</c> can be timed on identical bytes.</summary>
    public void WriteSampleFile(string path) => File.WriteAllBytes(path, _plain);

    [Benchmark]
    public long CompressLevel3TwoThreads()
    {
        long total = 0;
        int chunks = InputSize / ChunkSize;
        var first = new Thread(() => Interlocked.Add(ref total, CompressEvery(0, chunks)));
        first.Start();
        Interlocked.Add(ref total, CompressEvery(1, chunks));
        first.Join();
        return total;
    }

    // Thread t takes chunks t, t+2, t+4 ... so both threads finish together on uniform data.
    private long CompressEvery(int thread, int chunks)
    {
        long total = 0;
        byte[] destination = _destinations[thread];
        for (int i = thread; i < chunks; i += 2)
        {
            total += Zstd.Compress(_plain.AsSpan(i * ChunkSize, ChunkSize), destination, 3);
        }

        return total;
    }
}
